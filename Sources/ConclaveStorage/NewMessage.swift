/// A message to append to a channel's history.
public struct NewMessage: Sendable, Hashable {
    /// Channel name.
    public var channel: String
    /// Sender path text (`user/machine/session`).
    public var sender: String
    /// The payload in its wire encoding.
    public var payload: [UInt8]
    /// Server receive time, epoch milliseconds.
    public var tsMs: Int64
    /// The message id of the `receipts` extension (0 for none): not stored, but carried to the
    /// other instances so their subscribers see the same id.
    public var receiptID: UInt64
    /// The sender's signature in its wire encoding (the `signatures` extension), stored beside the
    /// payload and returned with it; `nil` for an unsigned post.
    public var signature: [UInt8]?

    /// Creates a message record.
    public init(channel: String, sender: String, payload: [UInt8], tsMs: Int64, receiptID: UInt64 = 0, signature: [UInt8]? = nil) {
        self.channel = channel
        self.sender = sender
        self.payload = payload
        self.tsMs = tsMs
        self.receiptID = receiptID
        self.signature = signature
    }
}
