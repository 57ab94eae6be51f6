/// One stored channel message, as returned in a `History` page.
public struct HistoryMessage: Sendable, Hashable, CustomStringConvertible {
    /// The sender, as stamped by the server when the message was posted.
    public var from: SessionPath
    /// Server receive time in milliseconds since the Unix epoch (UTC).
    public var tsMs: Int64
    /// The body exactly as it was posted.
    public var payload: Payload

    /// Creates a history entry.
    public init(from: SessionPath, tsMs: Int64, payload: Payload) {
        self.from = from
        self.tsMs = tsMs
        self.payload = payload
    }

    public var description: String {
        "HistoryMessage(from: \(from), ts_ms: \(tsMs), payload: \(payload))"
    }
}

extension HistoryMessage: WireCodable {
    /// A path, a timestamp and a payload, each at least one byte.
    static var minimumWireSize: Int { 6 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        from = try SessionPath(from: &reader)
        tsMs = try reader.readI64()
        payload = try Payload(from: &reader)
    }

    func encode(to writer: inout WireWriter) {
        from.encode(to: &writer)
        writer.writeI64(tsMs)
        payload.encode(to: &writer)
    }
}
