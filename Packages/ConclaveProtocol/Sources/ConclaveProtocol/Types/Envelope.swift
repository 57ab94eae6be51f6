/// A reserved end-to-end-encrypted body. v1 servers relay and store it without reading it.
public struct Envelope: Sendable, Hashable, CustomStringConvertible {
    /// Opaque ciphertext.
    public var ciphertext: [UInt8]
    /// Identifier of the per-channel key, if any.
    public var keyID: String?

    /// Creates an envelope.
    public init(ciphertext: [UInt8], keyID: String?) {
        self.ciphertext = ciphertext
        self.keyID = keyID
    }

    public var description: String {
        "Envelope(ciphertext: \(ciphertext.count) bytes, key_id: \(keyID.map { "\"\($0)\"" } ?? "none"))"
    }
}

extension Envelope: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        ciphertext = try reader.readBytes()
        keyID = try reader.readOptionalString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeBytes(ciphertext)
        writer.writeOptionalString(keyID)
    }
}
