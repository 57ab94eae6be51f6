/// A message a hook handed to the model: its server and receipt id.
public struct InboundReceipt: Sendable, Hashable {
    /// The server key.
    public var server: String
    /// The server's message id.
    public var id: UInt64

    /// A receipt.
    public init(server: String, id: UInt64) {
        self.server = server
        self.id = id
    }
}
