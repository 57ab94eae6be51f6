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

    /// The value's encoding on its own, for a record a server stores as it arrived.
    func encodedAlone(capacity: Int) -> [UInt8] {
        var writer = WireWriter(capacity: capacity)
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes one value that must fill `bytes` exactly (a stored record: trailing bytes mean it
    /// is not one).
    static func decodedWhole(_ bytes: [UInt8]) throws(WireFormatError) -> Self {
        var reader = WireReader(bytes)
        let value = try Self(from: &reader)
        guard reader.offset == bytes.count else {
            throw .lengthExceedsInput(offset: reader.offset, declared: UInt64(reader.offset), remaining: bytes.count - reader.offset)
        }
        return value
    }
}

extension String: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        self = try reader.readString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(self)
    }
}
