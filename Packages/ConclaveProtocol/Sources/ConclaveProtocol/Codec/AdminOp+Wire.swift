extension AdminOp: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        switch try reader.readVariantIndex(of: "AdminOp", count: Self.variantCount) {
        case 0: self = .createChannel(name: try reader.readString(), visibility: try reader.read())
        case 1: self = .deleteChannel(name: try reader.readString())
        case 2: self = .renameChannel(name: try reader.readString(), newName: try reader.readString())
        case 3: self = .setVisibility(name: try reader.readString(), visibility: try reader.read())
        case 4: self = .aclAdd(channel: try reader.readString(), user: try reader.readString())
        case 5: self = .aclRemove(channel: try reader.readString(), user: try reader.readString())
        case 6:
            self = .inviteCreate(
                channel: try reader.readString(),
                uses: try reader.readOptional { reader throws(WireFormatError) in try reader.readU32() },
                expiresInSecs: try reader.readOptional { reader throws(WireFormatError) in try reader.readU64() }
            )
        case 7: self = .inviteRevoke(token: try reader.readString())
        case 8: self = .kick(channel: try reader.readString(), target: try reader.readString())
        case 9: self = .ban(channel: try reader.readString(), user: try reader.readString())
        case 10: self = .userRemove(username: try reader.readString())
        case 11: self = .machineRemove(name: try reader.readString())
        case 12: self = .machineAdd(name: try reader.readString(), pubkey: try reader.readBytes())
        case 13: self = .aclList(channel: try reader.readString())
        case 14: self = .unban(channel: try reader.readString(), user: try reader.readString())
        case 15: self = .banList(channel: try reader.readString())
        default: self = .inviteList(channel: try reader.readString())
        }
    }

    func encode(to writer: inout WireWriter) {
        switch self {
        case let .createChannel(name, visibility):
            writer.writeU32(0)
            writer.writeString(name)
            writer.write(visibility)
        case let .deleteChannel(name):
            writer.writeU32(1)
            writer.writeString(name)
        case let .renameChannel(name, newName):
            writer.writeU32(2)
            writer.writeString(name)
            writer.writeString(newName)
        case let .setVisibility(name, visibility):
            writer.writeU32(3)
            writer.writeString(name)
            writer.write(visibility)
        case let .aclAdd(channel, user):
            writer.writeStrings(index: 4, channel, user)
        case let .aclRemove(channel, user):
            writer.writeStrings(index: 5, channel, user)
        case let .inviteCreate(channel, uses, expiresInSecs):
            writer.writeU32(6)
            writer.writeString(channel)
            writer.writeOptional(uses) { $0.writeU32($1) }
            writer.writeOptional(expiresInSecs) { $0.writeVarint($1) }
        case let .inviteRevoke(token):
            writer.writeStrings(index: 7, token)
        case let .kick(channel, target):
            writer.writeStrings(index: 8, channel, target)
        case let .ban(channel, user):
            writer.writeStrings(index: 9, channel, user)
        case let .userRemove(username):
            writer.writeStrings(index: 10, username)
        case let .machineRemove(name):
            writer.writeStrings(index: 11, name)
        case let .machineAdd(name, pubkey):
            writer.writeU32(12)
            writer.writeString(name)
            writer.writeBytes(pubkey)
        case let .aclList(channel):
            writer.writeStrings(index: 13, channel)
        case let .unban(channel, user):
            writer.writeStrings(index: 14, channel, user)
        case let .banList(channel):
            writer.writeStrings(index: 15, channel)
        case let .inviteList(channel):
            writer.writeStrings(index: 16, channel)
        }
    }
}

extension WireWriter {
    /// A variant index followed by string fields: the shape of most admin operations and frames.
    mutating func writeStrings(index: UInt32, _ fields: String...) {
        writeU32(index)
        for field in fields {
            writeString(field)
        }
    }
}
