/// One recipient's state for one message.
public struct ReceiptRecord: Sendable, Hashable {
    /// The recipient session.
    public var recipient: SessionPath
    /// Its state.
    public var state: ReceiptState
    /// When the state was reached, by the server's clock (ms since the epoch).
    public var atMs: Int64
    /// A short reason, for held and refused states.
    public var detail: String?

    /// A record.
    public init(recipient: SessionPath, state: ReceiptState, atMs: Int64, detail: String? = nil) {
        self.recipient = recipient
        self.state = state
        self.atMs = atMs
        self.detail = detail
    }
}

extension ReceiptRecord: WireCodable {
    static var minimumWireSize: Int { SessionPath.minimumWireSize + 3 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        self.init(recipient: try reader.read(), state: try reader.read(), atMs: try reader.readI64(), detail: try reader.readOptionalString())
    }

    func encode(to writer: inout WireWriter) {
        writer.write(recipient)
        writer.write(state)
        writer.writeI64(atMs)
        writer.writeOptionalString(detail)
    }
}
