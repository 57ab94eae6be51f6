/// One stored channel message.
public struct StoredMessage: Sendable, Hashable {
    /// Monotonic row id, the tie-breaker inside one millisecond.
    public var id: Int64
    /// The message's number in its channel (see ``AppendedMessage/seq``).
    public var seq: Int64
    /// Sender path text (`user/machine/session`).
    public var sender: String
    /// The payload in its wire encoding.
    public var payload: [UInt8]
    /// Server receive time, epoch milliseconds.
    public var tsMs: Int64
    /// The sender's signature in its wire encoding, if the post was signed.
    public var signature: [UInt8]?

    /// Creates a record.
    public init(id: Int64, seq: Int64, sender: String, payload: [UInt8], tsMs: Int64, signature: [UInt8]? = nil) {
        self.id = id
        self.seq = seq
        self.sender = sender
        self.payload = payload
        self.tsMs = tsMs
        self.signature = signature
    }
}
