extension ProtocolMessage: CustomStringConvertible {
    /// A readable one-line form for logs. Bodies, tokens, keys, nonces and signatures are shown
    /// only by their size.
    public var description: String {
        switch self {
        case let .hello(version, session):
            "Hello(protocol_version: \(version), session: \(quoted(session)))"
        case let .challenge(nonce):
            "Challenge(nonce: <\(nonce.count) bytes>)"
        case let .auth(pubkey, signature):
            "Auth(pubkey: <\(pubkey.count) bytes>, signature: <\(signature.count) bytes>)"
        case let .established(path):
            "Established(path: \(path))"
        case let .register(username, machine, pubkey):
            "Register(username: \(quoted(username)), machine: \(quoted(machine)), pubkey: <\(pubkey.count) bytes>)"
        case let .join(channel, token):
            "Join(channel: \(quoted(channel)), token: \(token == nil ? "none" : "<redacted>"))"
        case let .leave(channel):
            "Leave(channel: \(quoted(channel)))"
        case let .who(channel):
            "Who(channel: \(channel.map(quoted) ?? "none"))"
        case let .admin(op):
            "Admin(\(op))"
        case let .channelMessage(channel, from, payload):
            "ChannelMsg(channel: \(quoted(channel)), from: \(from), payload: \(payload))"
        case let .whisper(from, target, payload):
            "Whisper(from: \(from), target: \(target), payload: \(payload))"
        case let .presence(channel, sessions):
            "Presence(channel: \(channel.map(quoted) ?? "none"), sessions: \(sessions.count))"
        case let .error(error):
            "Error(\(error))"
        case let .channelList(channels):
            "ChannelList(channels: \(channels.count))"
        case let .joined(channel):
            "Joined(channel: \(quoted(channel)))"
        case let .ack(detail):
            "Ack(detail: \(detail.map(quoted) ?? "none"))"
        case .inviteToken:
            "InviteToken(token: <redacted>)"
        case let .serverInfo(admin):
            "ServerInfo(admin: \(admin))"
        case let .machineList(machines):
            "MachineList(machines: \(machines.count))"
        case let .userList(users):
            "UserList(users: \(users.count))"
        case let .inviteList(invites):
            "InviteList(invites: \(invites.count))"
        case let .readSince(channel, sinceMs):
            "ReadSince(channel: \(quoted(channel)), since_ms: \(sinceMs))"
        case let .history(channel, messages):
            "History(channel: \(quoted(channel)), messages: \(messages.count))"
        case let .posted(id):
            "Posted(id: \(id))"
        case let .taggedChannelMessage(id, channel, from, payload):
            "TaggedChannelMsg(id: \(id), channel: \(quoted(channel)), from: \(from), payload: \(payload))"
        case let .taggedWhisper(id, from, target, payload):
            "TaggedWhisper(id: \(id), from: \(from), target: \(target), payload: \(payload))"
        case let .receipt(id, state, detail):
            "Receipt(id: \(id), state: \(state), detail: \(detail.map(quoted) ?? "none"))"
        case let .receiptUpdate(id, record):
            "ReceiptUpdate(id: \(id), recipient: \(record.recipient), state: \(record.state))"
        case let .receiptQuery(id):
            "ReceiptQuery(id: \(id))"
        case let .receiptList(id, records):
            "ReceiptList(id: \(id), records: \(records.count))"
        case let .heldWhisper(target, payload, holdSeconds):
            "HeldWhisper(target: \(target), payload: \(payload), hold_seconds: \(holdSeconds))"
        case let .signedPost(channel, payload, _):
            "SignedPost(channel: \(quoted(channel)), payload: \(payload), signature: <signed>)"
        case let .signedWhisper(target, payload, _, holdSeconds):
            "SignedWhisper(target: \(target), payload: \(payload), signature: <signed>, hold_seconds: \(holdSeconds))"
        case let .signedChannelMessage(id, channel, from, payload, _):
            "SignedChannelMsg(id: \(id), channel: \(quoted(channel)), from: \(from), payload: \(payload), signature: <signed>)"
        case let .signedWhisperMessage(id, from, target, payload, _):
            "SignedWhisperMsg(id: \(id), from: \(from), target: \(target), payload: \(payload), signature: <signed>)"
        case let .signedHistory(channel, messages):
            "SignedHistory(channel: \(quoted(channel)), messages: \(messages.count))"
        case let .keyQuery(user):
            "KeyQuery(user: \(quoted(user)))"
        case let .keyList(user, machines):
            "KeyList(user: \(quoted(user)), machines: \(machines.count))"
        case .publishAgreement:
            "PublishAgreement(announcement: <key>)"
        case let .memberKeysQuery(channel):
            "MemberKeysQuery(channel: \(quoted(channel)))"
        case let .memberKeys(channel, encrypted, members):
            "MemberKeys(channel: \(quoted(channel)), encrypted: \(encrypted), members: \(members.count))"
        case let .markEncrypted(channel):
            "MarkEncrypted(channel: \(quoted(channel)))"
        case let .shareChannelKey(channel, keys):
            "ShareChannelKey(channel: \(quoted(channel)), keys: \(keys.count))"
        case let .channelKeysQuery(channel):
            "ChannelKeysQuery(channel: \(quoted(channel)))"
        case let .channelKeys(channel, keys):
            "ChannelKeys(channel: \(quoted(channel)), keys: \(keys.count))"
        case let .encryptedChannels(channels):
            "EncryptedChannels(channels: \(channels.count))"
        case .listChannels, .ping, .pong, .listMachines, .listUsers, .listEncrypted:
            name
        }
    }
}
