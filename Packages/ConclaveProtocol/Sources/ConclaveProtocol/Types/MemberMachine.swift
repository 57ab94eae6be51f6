/// One machine of a member of an end-to-end encrypted channel, as `MemberKeys` lists it: whom a
/// sender seals its channel key to.
public struct MemberMachine: Sendable, Hashable {
    /// The member's user name.
    public var user: String
    /// The machine's name.
    public var machine: String
    /// The machine's Ed25519 public key (32 bytes), which signs its announcement.
    public var signingKey: [UInt8]
    /// The machine's X25519 key announcement, if it published one (a machine that never ran an
    /// end-to-end capable client has none, and cannot be sealed to).
    public var agreement: AgreementAnnouncement?

    /// Creates an entry.
    public init(user: String, machine: String, signingKey: [UInt8], agreement: AgreementAnnouncement?) {
        self.user = user
        self.machine = machine
        self.signingKey = signingKey
        self.agreement = agreement
    }
}

extension MemberMachine: WireCodable {
    /// Two strings, a byte string and an option tag.
    static var minimumWireSize: Int { 4 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        user = try reader.readString()
        machine = try reader.readString()
        signingKey = try reader.readBytes()
        agreement = try reader.readOptional { reader throws(WireFormatError) in try reader.read() }
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(user)
        writer.writeString(machine)
        writer.writeBytes(signingKey)
        writer.writeOptional(agreement) { $0.write($1) }
    }
}
