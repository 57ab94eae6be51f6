import ConclaveIdentity
import ConclaveProtocol

extension Hub {
    /// Handles one frame from an established session and returns the reply to queue, or `nil`
    /// when the handler queued it itself. Refusals come back as `.error`; nothing here ends the
    /// session except the operations whose purpose is to.
    func handle(_ frame: ProtocolMessage, from session: ServerSession) async -> ProtocolMessage? {
        logger.debug("dispatch", metadata: ["path": "\(session.path)", "frame": "\(Self.kindName(frame))"])
        do {
            return try await route(frame, from: session)
        } catch {
            return .error(refusal(for: error, from: session, frame: frame.name))
        }
    }

    /// The refusal to send for a failed request, logged and counted: a ``ProtocolError`` as it
    /// is; anything else is a storage failure whose details stay in the log (G7).
    func refusal(for error: any Error, from session: ServerSession, frame: String) -> ProtocolError {
        if let error = error as? ProtocolError {
            logger.warning("error frame emitted", metadata: ["error": "\(error)", "path": "\(session.path)"])
            metrics.refused(error)
            return error
        }
        logger.error("request failed", metadata: ["error": "\(error)", "path": "\(session.path)", "frame": "\(frame)"])
        metrics.refused(Refusal.storage)
        return Refusal.storage
    }

    /// A post handed to ``handle(_:from:)``: admitted like a pipelined one, answered once durable.
    private func post(_ payload: Payload, signature: MessageSignature? = nil, to channel: String, from session: ServerSession) async -> ProtocolMessage {
        switch submitPost(payload, signature: signature, to: channel, from: session) {
        case let .success(post): await reply(to: post)
        case let .failure(refusal): .error(refusal)
        }
    }

    private func route(_ frame: ProtocolMessage, from session: ServerSession) async throws -> ProtocolMessage? {
        switch frame {
        case .ping:
            return .pong
        case let .join(channel, token):
            return try await join(channel, token: token, session: session)
        case let .leave(channel):
            if presence.unsubscribe(session.path, from: channel) {
                recordInDirectory(.unsubscribe(path: session.path.description, channel: channel))
            }
            return .ack(detail: channel)
        case let .who(channel):
            return try await who(channel, session: session)
        case .listChannels:
            return try await listChannels(session: session)
        case .listMachines:
            return .machineList(machines: try await machineInfos(of: session.user))
        case .listUsers:
            guard session.isAdmin else { throw Refusal.notAdmin }
            return .userList(users: try await store.usernames())
        case let .channelMessage(channel, _, payload):
            return await post(payload, to: channel, from: session)
        case let .whisper(_, target, payload):
            return try await whisper(payload, to: target, session: session)
        case let .readSince(channel, sinceMs):
            return try await readSince(channel, sinceMs: sinceMs, session: session)
        case let .admin(op):
            return try await administer(op, session: session)
        case let .receipt(id, state, detail):
            try acceptReceipt(id, state: state, detail: detail, from: session)
            return nil
        case let .receiptQuery(id):
            return try receiptList(id, session: session)
        case let .heldWhisper(target, payload, holdSeconds):
            return try await holdWhisper(payload, to: target, holdSeconds: holdSeconds, session: session)
        case let .signedPost(channel, payload, signature):
            return await post(payload, signature: signature, to: channel, from: session)
        case let .signedWhisper(target, payload, signature, holdSeconds):
            guard holdSeconds > 0 else { return try await whisper(payload, signature: signature, to: target, session: session) }
            return try await holdWhisper(payload, signature: signature, to: target, holdSeconds: holdSeconds, session: session)
        case let .keyQuery(user):
            // Machine keys are what recipients check signatures against; any signatures session
            // may look up anyone's, as it can already see their machine names in presence.
            guard session.speaksSignatures else { throw Refusal.unexpectedFrame }
            return .keyList(user: user, machines: try await machineInfos(of: user))
        case let .publishAgreement(announcement):
            return try await publishAgreement(announcement, session: session)
        case let .memberKeysQuery(channel):
            return try await memberKeys(of: channel, session: session)
        case let .markEncrypted(channel):
            return try await markEncrypted(channel, session: session)
        case let .shareChannelKey(channel, keys):
            return try await shareChannelKey(keys, in: channel, session: session)
        case let .channelKeysQuery(channel):
            return try await channelKeys(in: channel, session: session)
        case .listEncrypted:
            return try await listEncrypted(session: session)
        case .posted, .taggedChannelMessage, .taggedWhisper, .receiptUpdate, .receiptList, .signedChannelMessage,
            .signedWhisperMessage, .signedHistory, .keyList, .memberKeys, .channelKeys, .encryptedChannels:
            throw Refusal.unexpectedFrame
        case .hello, .challenge, .auth, .established, .register, .presence, .error, .channelList, .joined, .ack,
            .inviteToken, .pong, .serverInfo, .machineList, .userList, .inviteList, .history:
            throw Refusal.unexpectedFrame
        }
    }

    /// A user's enrolled machines as `MachineList` and `KeyList` show them.
    private func machineInfos(of user: String) async throws -> [MachineInfo] {
        try await store.machines(of: user).map {
            MachineInfo(name: $0.name, pubkey: $0.pubkey, addedAt: RFC3339Milliseconds.text(ms: $0.addedAtMs))
        }
    }

    private func administer(_ op: AdminOp, session: ServerSession) async throws -> ProtocolMessage? {
        switch op {
        case let .createChannel(name, visibility):
            return try await createChannel(name, visibility: visibility, session: session)
        case let .deleteChannel(name):
            return try await deleteChannel(name, session: session)
        case let .renameChannel(name, newName):
            return try await renameChannel(name, to: newName, session: session)
        case let .setVisibility(name, visibility):
            _ = try await administeredChannel(name, by: session)
            if visibility != .private, encryptedChannels.contains(name) {
                throw ProtocolError.unauthorized("`#\(name)` is end-to-end encrypted and stays private")
            }
            try await store.setVisibility(of: name, to: visibility)
            return .ack(detail: name)
        case let .aclAdd(channel, user):
            return try await aclAdd(user, to: channel, session: session)
        case let .aclRemove(channel, user):
            return try await aclRemove(user, from: channel, session: session)
        case let .aclList(channel):
            _ = try await administeredChannel(channel, by: session)
            return .userList(users: try await store.members(of: channel))
        case let .inviteCreate(channel, uses, expiresInSecs):
            return try await createInvite(channel, uses: uses, expiresInSecs: expiresInSecs, session: session)
        case let .inviteRevoke(token):
            return try await revokeInvite(token, session: session)
        case let .inviteList(channel):
            return try await listInvites(channel, session: session)
        case let .kick(channel, target):
            return try await kick(target, from: channel, session: session)
        case let .ban(channel, user):
            return try await ban(user, from: channel, session: session)
        case let .unban(channel, user):
            _ = try await administeredChannel(channel, by: session)
            try await store.unban(channel: channel, user: user)
            bans[channel]?.remove(user)
            await publish(.unbanned(channel: channel, user: user))
            return .ack(detail: user)
        case let .banList(channel):
            _ = try await administeredChannel(channel, by: session)
            return .userList(users: (bans[channel] ?? []).sorted())
        case let .userRemove(username):
            return try await removeUser(username, session: session)
        case let .machineRemove(name):
            return try await removeMachine(name, session: session)
        case let .machineAdd(name, pubkey):
            return try await addMachine(name, pubkey: pubkey, session: session)
        }
    }

    /// The reference's snake_case frame kind names, used in `dispatch` debug events.
    static func kindName(_ frame: ProtocolMessage) -> String {
        if case let .admin(op) = frame { return snakeCase(op.name) }
        return snakeCase(frame.name)
    }

    private static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase, !result.isEmpty { result.append("_") }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}
