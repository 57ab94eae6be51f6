public import ConclaveIdentity
public import ConclaveProtocol

/// Signs the messages this machine sends, with its Ed25519 key.
public struct MessageSigner: Sendable {
    private let key: SigningKey

    /// A signer with this machine's key.
    public init(key: SigningKey) {
        self.key = key
    }

    /// Signs `payload` sent by `sender` to `target` on the server with instance ID `serverID`, at
    /// `nowMs`, with a fresh random nonce.
    public func sign(
        _ payload: Payload, to target: MessageSignature.Target, as sender: SessionPath, serverID: String, nowMs: Int64
    ) throws(IdentityError) -> MessageSignature {
        let nonce = try SecureRandom.bytes(MessageSignature.nonceByteCount)
        let bytes = MessageSignature.signedBytes(
            serverID: serverID, target: target, sender: sender, timestampMs: nowMs, nonce: nonce, payload: payload)
        return MessageSignature(timestampMs: nowMs, nonce: nonce, publicKey: key.publicKey.bytes, signature: key.sign(bytes))
    }
}
