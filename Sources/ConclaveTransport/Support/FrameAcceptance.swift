public import ConclaveProtocol

/// Which inbound frames a receiver decodes at all, and how large a message it assembles.
///
/// The server narrows both before a peer has authenticated: only handshake frames, a few KiB
/// each. A frame of another variant is refused by its tag before its body is read, so bytes that
/// would decode into many small values (a `UserList` of empty names, say) never allocate.
public struct FrameAcceptance: Sendable, Hashable {
    /// The largest WebSocket message assembled; a longer one closes the connection (1009).
    public var maximumBytes: Int
    /// The variant indices decoded; `nil` decodes every variant.
    public var variants: Set<UInt32>?

    /// Creates a policy.
    public init(maximumBytes: Int, variants: Set<UInt32>?) {
        self.maximumBytes = maximumBytes
        self.variants = variants
    }

    /// Every frame up to the protocol's cap (clients reading a server).
    public static let everything = FrameAcceptance(maximumBytes: FrameLimits.maxFrameBytes, variants: nil)

    /// A server before authentication: `Hello`, `Auth` and `Register`, at most 4 KiB each (the
    /// largest legitimate one, a `Register` with 128-byte names, is under 400 bytes).
    public static let handshake = FrameAcceptance(
        maximumBytes: 4 * 1024,
        variants: Set([ProtocolMessage.hello(protocolVersion: 0, session: ""), .auth(pubkey: [], signature: []),
                       .register(username: "", machine: "", pubkey: [])].map(\.wireIndex)))

    /// A server after authentication: the requests a client may send. Replies and pushes that only
    /// a server sends are refused undecoded.
    public static let clientRequests = FrameAcceptance(
        maximumBytes: FrameLimits.maxFrameBytes,
        variants: Set([
            ProtocolMessage.hello(protocolVersion: 0, session: ""), .auth(pubkey: [], signature: []),
            .register(username: "", machine: "", pubkey: []), .join(channel: "", token: nil), .leave(channel: ""),
            .who(channel: nil), .admin(.deleteChannel(name: "")),
            .channelMessage(channel: "", from: SessionPath(user: "", machine: "", session: ""), payload: .plain("")),
            .whisper(from: SessionPath(user: "", machine: "", session: ""), target: SessionPath(user: "", machine: "", session: ""), payload: .plain("")),
            .listChannels, .ping, .pong, .listMachines, .listUsers, .readSince(channel: "", sinceMs: 0),
            .receipt(id: 0, state: .delivered, detail: nil), .receiptQuery(id: 0),
            .heldWhisper(target: SessionPath(user: "", machine: "", session: ""), payload: .plain(""), holdSeconds: 0),
            .signedPost(channel: "", payload: .plain(""), signature: MessageSignature(timestampMs: 0, nonce: [], publicKey: [], signature: [])),
            .signedWhisper(
                target: SessionPath(user: "", machine: "", session: ""), payload: .plain(""),
                signature: MessageSignature(timestampMs: 0, nonce: [], publicKey: [], signature: []), holdSeconds: 0),
            .keyQuery(user: ""),
            .publishAgreement(announcement: AgreementAnnouncement(publicKey: [], createdMs: 0, signature: [])),
            .memberKeysQuery(channel: ""), .markEncrypted(channel: ""), .shareChannelKey(channel: "", keys: []),
            .channelKeysQuery(channel: ""), .listEncrypted,
        ].map(\.wireIndex)))

    /// Whether a frame of variant `index` is decoded.
    public func accepts(variantIndex index: UInt32) -> Bool {
        variants?.contains(index) ?? true
    }
}
