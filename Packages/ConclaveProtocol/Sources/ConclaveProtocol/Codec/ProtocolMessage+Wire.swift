extension ProtocolMessage {
    /// Decodes one frame from a complete WebSocket message (or stream frame body).
    ///
    /// Bytes after a complete frame are ignored, as the reference does (PROTOCOL.md §4.6); use
    /// ``decodePrefix(_:)`` to learn how many bytes the frame used. Input longer than
    /// ``FrameLimits/maxFrameBytes`` is refused before it is read.
    public init(wireBytes: [UInt8]) throws(WireFormatError) {
        self = try Self.decodePrefix(wireBytes).message
    }

    /// Decodes one frame from the start of `bytes` and reports how many bytes it occupied.
    public static func decodePrefix(
        _ bytes: [UInt8]
    ) throws(WireFormatError) -> (message: ProtocolMessage, consumed: Int) {
        guard bytes.count <= FrameLimits.maxFrameBytes else {
            throw .frameTooLarge(length: bytes.count, limit: FrameLimits.maxFrameBytes)
        }
        var reader = WireReader(bytes)
        let message = try ProtocolMessage(from: &reader)
        return (message, reader.offset)
    }

    /// The canonical encoding of this frame.
    public var wireBytes: [UInt8] {
        var writer = WireWriter(capacity: capacityHint)
        encode(to: &writer)
        return writer.bytes
    }

    /// An upper bound for the frames that carry bodies, so encoding them allocates once; small
    /// control frames fit the default.
    private var capacityHint: Int {
        switch self {
        case let .channelMessage(channel, from, payload), let .taggedChannelMessage(_, channel, from, payload):
            channel.utf8.count + from.capacityHint + payload.estimatedSize + 26
        case let .whisper(from, target, payload), let .taggedWhisper(_, from, target, payload):
            from.capacityHint + target.capacityHint + payload.estimatedSize + 26
        case let .signedChannelMessage(_, channel, from, payload, _):
            channel.utf8.count + from.capacityHint + payload.estimatedSize + MessageSignature.wireSizeBound + 26
        case let .signedWhisperMessage(_, from, target, payload, _):
            from.capacityHint + target.capacityHint + payload.estimatedSize + MessageSignature.wireSizeBound + 26
        case let .signedPost(channel, payload, _):
            channel.utf8.count + payload.estimatedSize + MessageSignature.wireSizeBound + 16
        case let .signedWhisper(target, payload, _, _):
            target.capacityHint + payload.estimatedSize + MessageSignature.wireSizeBound + 16
        case let .history(channel, messages):
            messages.reduce(channel.utf8.count + 16) { $0 + $1.from.capacityHint + $1.payload.estimatedSize + 10 }
        case let .signedHistory(channel, messages):
            messages.reduce(channel.utf8.count + 16) {
                $0 + $1.message.from.capacityHint + $1.message.payload.estimatedSize + MessageSignature.wireSizeBound + 12
            }
        default:
            64
        }
    }
}

extension ProtocolMessage: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        let index = try reader.readU32()
        guard Self.isVariant(index) else {
            throw .unknownVariant(type: "ProtocolMessage", index: index, count: Int(Self.variantCount))
        }
        switch index {
        case 0: self = .hello(protocolVersion: try reader.readU32(), session: try reader.readString())
        case 1: self = .challenge(nonce: try reader.readBytes())
        case 2: self = .auth(pubkey: try reader.readBytes(), signature: try reader.readBytes())
        case 3: self = .established(path: try reader.read())
        case 4:
            self = .register(
                username: try reader.readString(), machine: try reader.readString(), pubkey: try reader.readBytes())
        case 5: self = .join(channel: try reader.readString(), token: try reader.readOptionalString())
        case 6: self = .leave(channel: try reader.readString())
        case 7: self = .who(channel: try reader.readOptionalString())
        case 8: self = .admin(try reader.read())
        case 9: self = .channelMessage(channel: try reader.readString(), from: try reader.read(), payload: try reader.read())
        case 10: self = .whisper(from: try reader.read(), target: try reader.read(), payload: try reader.read())
        case 11: self = .presence(channel: try reader.readOptionalString(), sessions: try reader.readSequence())
        case 12: self = .error(try reader.read())
        case 13: self = .listChannels
        case 14: self = .channelList(channels: try reader.readSequence())
        case 15: self = .joined(channel: try reader.readString())
        case 16: self = .ack(detail: try reader.readOptionalString())
        case 17: self = .inviteToken(token: try reader.readString())
        case 18: self = .ping
        case 19: self = .pong
        case 20: self = .serverInfo(admin: try reader.readBool())
        case 21: self = .listMachines
        case 22: self = .machineList(machines: try reader.readSequence())
        case 23: self = .listUsers
        case 24: self = .userList(users: try reader.readSequence())
        case 25: self = .inviteList(invites: try reader.readSequence())
        case 26: self = .readSince(channel: try reader.readString(), sinceMs: try reader.readI64())
        case 27: self = .history(channel: try reader.readString(), messages: try reader.readSequence())
        case 64: self = .posted(id: try reader.readU64())
        case 65:
            self = .taggedChannelMessage(
                id: try reader.readU64(), channel: try reader.readString(), from: try reader.read(), payload: try reader.read())
        case 66:
            self = .taggedWhisper(id: try reader.readU64(), from: try reader.read(), target: try reader.read(), payload: try reader.read())
        case 67: self = .receipt(id: try reader.readU64(), state: try reader.read(), detail: try reader.readOptionalString())
        case 68: self = .receiptUpdate(id: try reader.readU64(), record: try reader.read())
        case 69: self = .receiptQuery(id: try reader.readU64())
        case 70: self = .receiptList(id: try reader.readU64(), records: try reader.readSequence())
        case 71: self = .heldWhisper(target: try reader.read(), payload: try reader.read(), holdSeconds: try reader.readU32())
        case 72: self = .signedPost(channel: try reader.readString(), payload: try reader.read(), signature: try reader.read())
        case 73:
            self = .signedWhisper(
                target: try reader.read(), payload: try reader.read(), signature: try reader.read(), holdSeconds: try reader.readU32())
        case 74:
            self = .signedChannelMessage(
                id: try reader.readU64(), channel: try reader.readString(), from: try reader.read(), payload: try reader.read(),
                signature: try reader.read())
        case 75:
            self = .signedWhisperMessage(
                id: try reader.readU64(), from: try reader.read(), target: try reader.read(), payload: try reader.read(),
                signature: try reader.read())
        case 76: self = .signedHistory(channel: try reader.readString(), messages: try reader.readSequence())
        case 77: self = .keyQuery(user: try reader.readString())
        case 78: self = .keyList(user: try reader.readString(), machines: try reader.readSequence())
        case 79: self = .publishAgreement(announcement: try reader.read())
        case 80: self = .memberKeysQuery(channel: try reader.readString())
        case 81: self = .memberKeys(channel: try reader.readString(), encrypted: try reader.readBool(), members: try reader.readSequence())
        case 82: self = .markEncrypted(channel: try reader.readString())
        case 83: self = .shareChannelKey(channel: try reader.readString(), keys: try reader.readSequence())
        case 84: self = .channelKeysQuery(channel: try reader.readString())
        case 85: self = .channelKeys(channel: try reader.readString(), keys: try reader.readSequence())
        case 86: self = .listEncrypted
        default: self = .encryptedChannels(channels: try reader.readSequence())
        }
    }

    func encode(to writer: inout WireWriter) {
        writer.writeU32(wireIndex)
        switch self {
        case let .hello(version, session):
            writer.writeU32(version)
            writer.writeString(session)
        case let .challenge(nonce):
            writer.writeBytes(nonce)
        case let .auth(pubkey, signature):
            writer.writeBytes(pubkey)
            writer.writeBytes(signature)
        case let .established(path):
            writer.write(path)
        case let .register(username, machine, pubkey):
            writer.writeString(username)
            writer.writeString(machine)
            writer.writeBytes(pubkey)
        case let .join(channel, token):
            writer.writeString(channel)
            writer.writeOptionalString(token)
        case let .leave(channel), let .joined(channel):
            writer.writeString(channel)
        case let .who(channel):
            writer.writeOptionalString(channel)
        case let .admin(op):
            writer.write(op)
        case let .channelMessage(channel, from, payload):
            writer.writeString(channel)
            writer.write(from)
            writer.write(payload)
        case let .whisper(from, target, payload):
            writer.write(from)
            writer.write(target)
            writer.write(payload)
        case let .presence(channel, sessions):
            writer.writeOptionalString(channel)
            writer.writeSequence(sessions)
        case let .error(error):
            writer.write(error)
        case let .channelList(channels):
            writer.writeSequence(channels)
        case let .ack(detail):
            writer.writeOptionalString(detail)
        case let .inviteToken(token):
            writer.writeString(token)
        case let .serverInfo(admin):
            writer.writeBool(admin)
        case let .machineList(machines):
            writer.writeSequence(machines)
        case let .userList(users):
            writer.writeSequence(users)
        case let .inviteList(invites):
            writer.writeSequence(invites)
        case let .readSince(channel, sinceMs):
            writer.writeString(channel)
            writer.writeI64(sinceMs)
        case let .history(channel, messages):
            writer.writeString(channel)
            writer.writeSequence(messages)
        case let .posted(id), let .receiptQuery(id):
            writer.writeVarint(id)
        case let .taggedChannelMessage(id, channel, from, payload):
            writer.writeVarint(id)
            writer.writeString(channel)
            writer.write(from)
            writer.write(payload)
        case let .taggedWhisper(id, from, target, payload):
            writer.writeVarint(id)
            writer.write(from)
            writer.write(target)
            writer.write(payload)
        case let .receipt(id, state, detail):
            writer.writeVarint(id)
            writer.write(state)
            writer.writeOptionalString(detail)
        case let .receiptUpdate(id, record):
            writer.writeVarint(id)
            writer.write(record)
        case let .receiptList(id, records):
            writer.writeVarint(id)
            writer.writeSequence(records)
        case let .heldWhisper(target, payload, holdSeconds):
            writer.write(target)
            writer.write(payload)
            writer.writeU32(holdSeconds)
        case let .signedPost(channel, payload, signature):
            writer.writeString(channel)
            writer.write(payload)
            writer.write(signature)
        case let .signedWhisper(target, payload, signature, holdSeconds):
            writer.write(target)
            writer.write(payload)
            writer.write(signature)
            writer.writeU32(holdSeconds)
        case let .signedChannelMessage(id, channel, from, payload, signature):
            writer.writeVarint(id)
            writer.writeString(channel)
            writer.write(from)
            writer.write(payload)
            writer.write(signature)
        case let .signedWhisperMessage(id, from, target, payload, signature):
            writer.writeVarint(id)
            writer.write(from)
            writer.write(target)
            writer.write(payload)
            writer.write(signature)
        case let .signedHistory(channel, messages):
            writer.writeString(channel)
            writer.writeSequence(messages)
        case let .keyQuery(user), let .memberKeysQuery(user), let .markEncrypted(user), let .channelKeysQuery(user):
            writer.writeString(user)
        case let .publishAgreement(announcement):
            writer.write(announcement)
        case let .memberKeys(channel, encrypted, members):
            writer.writeString(channel)
            writer.writeBool(encrypted)
            writer.writeSequence(members)
        case let .shareChannelKey(channel, keys):
            writer.writeString(channel)
            writer.writeSequence(keys)
        case let .channelKeys(channel, keys):
            writer.writeString(channel)
            writer.writeSequence(keys)
        case let .encryptedChannels(channels):
            writer.writeSequence(channels)
        case let .keyList(user, machines):
            writer.writeString(user)
            writer.writeSequence(machines)
        case .listChannels, .ping, .pong, .listMachines, .listUsers, .listEncrypted:
            break
        }
    }
}
