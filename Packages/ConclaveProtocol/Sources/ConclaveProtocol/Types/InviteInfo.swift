/// One entry of an `InviteList` reply.
public struct InviteInfo: Sendable, Hashable, CustomStringConvertible {
    /// The invite token (a bearer secret).
    public var token: String
    /// Remaining redemptions; `nil` means unlimited.
    public var usesRemaining: Int64?
    /// RFC 3339 expiry; `nil` means never.
    public var expiresAt: String?

    /// Creates an invite entry.
    public init(token: String, usesRemaining: Int64?, expiresAt: String?) {
        self.token = token
        self.usesRemaining = usesRemaining
        self.expiresAt = expiresAt
    }

    /// Never shows the token.
    public var description: String {
        let uses = usesRemaining.map(String.init) ?? "unlimited"
        return "InviteInfo(token: <redacted>, uses_remaining: \(uses), expires_at: \(expiresAt ?? "never"))"
    }
}

extension InviteInfo: WireCodable {
    /// A string and two option tags, each at least one byte.
    static var minimumWireSize: Int { 3 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        token = try reader.readString()
        usesRemaining = try reader.readOptional { reader throws(WireFormatError) in try reader.readI64() }
        expiresAt = try reader.readOptionalString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(token)
        writer.writeOptional(usesRemaining) { $0.writeI64($1) }
        writer.writeOptionalString(expiresAt)
    }
}
