public import ConclaveIdentity
public import ConclaveProtocol

/// Signing what this machine sends and checking what it receives, on one connection to one
/// server: the piece every client (the bridge, `send`, `tail`) uses, so they sign and verify
/// alike.
///
/// Made only for a connection that agreed to the `signatures` extension and told its instance
/// ID; without one, a client sends v1 frames and every message it receives is unverified.
public struct MessageTrust: Sendable {
    /// The server's instance ID the signatures are bound to.
    public var serverID: String { verifier.serverID }
    private let signer: MessageSigner
    private let verifier: SignatureVerifier

    /// Trust for a connection to `serverID`, signing with `key` and pinning in `knownKeys`.
    public init(serverID: String, key: SigningKey, knownKeys: KnownKeys, replays: ReplayGuard = ReplayGuard()) {
        signer = MessageSigner(key: key)
        verifier = SignatureVerifier(serverID: serverID, knownKeys: knownKeys, replays: replays)
    }

    /// Trust for `session` when it agreed to `signatures` and the server named itself; `nil`
    /// otherwise.
    public init?(session: ControlSession, key: SigningKey, knownKeys: KnownKeys) {
        guard session.extensions.contains(.signatures), let serverID = session.serverID else { return nil }
        self.init(serverID: serverID, key: key, knownKeys: knownKeys)
    }

    /// A signed post of `payload` to `channel` by `sender`.
    public func post(_ payload: Payload, to channel: String, as sender: SessionPath, nowMs: Int64) throws(IdentityError) -> ProtocolMessage {
        let signature = try signer.sign(payload, to: .channel(channel), as: sender, serverID: serverID, nowMs: nowMs)
        return .signedPost(channel: channel, payload: payload, signature: signature)
    }

    /// A signed whisper of `payload` to `target` by `sender`, held up to `holdSeconds` when above 0.
    public func whisper(
        _ payload: Payload, to target: SessionPath, as sender: SessionPath, holdSeconds: UInt32 = 0, nowMs: Int64
    ) throws(IdentityError) -> ProtocolMessage {
        let signature = try signer.sign(payload, to: .session(target), as: sender, serverID: serverID, nowMs: nowMs)
        return .signedWhisper(target: target, payload: payload, signature: signature, holdSeconds: holdSeconds)
    }

    /// What can be said about who wrote `message`.
    public func provenance(of message: ReceivedMessage, nowMs: Int64) -> Provenance {
        verifier.provenance(of: message.payload, to: message.target, from: message.from, signature: message.signature, nowMs: nowMs)
    }

    /// What can be said about who wrote a message read back from `channel`'s history.
    public func provenance(of message: SignedHistoryMessage, in channel: String, nowMs: Int64) -> Provenance {
        verifier.provenance(
            of: message.message.payload, to: .channel(channel), from: message.message.from, signature: message.signature,
            arrival: .history, nowMs: nowMs)
    }

    /// The verdict for a message when the connection carries no signatures at all.
    public static let withoutSignatures = Provenance.unverified(reason: "the server does not relay signatures")
}
