public import ConclaveProtocol

/// What a post's text becomes on the wire for one channel, from
/// ``ControlSession/envelope(for:to:with:nowMs:)``.
public enum PostEnvelope: Sendable {
    /// The channel is not end-to-end encrypted: post the text as it is.
    case plain
    /// The channel is encrypted: post `payload`; the machines in `unreadableBy` will not be able
    /// to read it (no verified key yet, or a changed machine key), which the sender should be told.
    case sealed(Payload, unreadableBy: [String])
    /// A step on the way was refused: its name and the server's reply.
    case refused(step: String, reply: ProtocolMessage)
}
