/// A value with a bincode 2 `standard()` representation.
///
/// Internal on purpose: the public surface is `init(wireBytes:)` / `wireBytes` on the types that
/// travel on their own (`ProtocolMessage`, `Payload`).
protocol WireCodable {
    /// The fewest bytes one value can occupy on the wire. A sequence's count is checked against
    /// the remaining input divided by this, so no count claims more values than the bytes hold.
    static var minimumWireSize: Int { get }
    init(from reader: inout WireReader) throws(WireFormatError)
    func encode(to writer: inout WireWriter)
}

extension WireCodable {
    static var minimumWireSize: Int { 1 }
}

extension String: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        self = try reader.readString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(self)
    }
}
