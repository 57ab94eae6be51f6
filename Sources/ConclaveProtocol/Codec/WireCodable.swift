/// A value with a bincode 2 `standard()` representation.
///
/// Internal on purpose: the public surface is `init(wireBytes:)` / `wireBytes` on the types that
/// travel on their own (`ProtocolMessage`, `Payload`).
protocol WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError)
    func encode(to writer: inout WireWriter)
}

extension String: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        self = try reader.readString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(self)
    }
}
