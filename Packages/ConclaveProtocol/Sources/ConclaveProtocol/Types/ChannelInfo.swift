/// One entry of a `ChannelList` reply.
public struct ChannelInfo: Sendable, Hashable, CustomStringConvertible {
    /// Channel name.
    public var name: String
    /// Discovery tier.
    public var visibility: Visibility
    /// Whether the requesting user is on the channel's ACL.
    public var member: Bool

    /// Creates a channel entry.
    public init(name: String, visibility: Visibility, member: Bool) {
        self.name = name
        self.visibility = visibility
        self.member = member
    }

    public var description: String {
        "ChannelInfo(name: \"\(name)\", visibility: \(visibility), member: \(member))"
    }
}

extension ChannelInfo: WireCodable {
    /// A string, a tier and a flag, each at least one byte.
    static var minimumWireSize: Int { 3 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        name = try reader.readString()
        visibility = try Visibility(from: &reader)
        member = try reader.readBool()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(name)
        visibility.encode(to: &writer)
        writer.writeBool(member)
    }
}
