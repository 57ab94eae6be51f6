/// One entry of a `MachineList` reply: an enrolled machine of the caller's account.
public struct MachineInfo: Sendable, Hashable, CustomStringConvertible {
    /// Machine name.
    public var name: String
    /// The machine's Ed25519 public key as 43-character URL-safe base64 without padding.
    public var pubkey: String
    /// Enrollment time, RFC 3339.
    public var addedAt: String

    /// Creates a machine entry.
    public init(name: String, pubkey: String, addedAt: String) {
        self.name = name
        self.pubkey = pubkey
        self.addedAt = addedAt
    }

    /// Shows the name and time; the key is summarised by its length.
    public var description: String {
        "MachineInfo(name: \"\(name)\", pubkey: <\(pubkey.utf8.count) chars>, added_at: \(addedAt))"
    }
}

extension MachineInfo: WireCodable {
    /// Three strings, each at least one byte.
    static var minimumWireSize: Int { 3 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        name = try reader.readString()
        pubkey = try reader.readString()
        addedAt = try reader.readString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(name)
        writer.writeString(pubkey)
        writer.writeString(addedAt)
    }
}
