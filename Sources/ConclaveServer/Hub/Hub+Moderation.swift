import ConclaveIdentity
import ConclaveProtocol

extension Hub {
    func aclAdd(_ user: String, to channel: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        try validate(user, as: .username)
        try await store.addMember(channel: channel, user: user)
        // Adding a member lifts a ban (in the store too), here and on the other instances.
        bans[channel]?.remove(user)
        await publish(.unbanned(channel: channel, user: user))
        return .ack(detail: user)
    }

    func aclRemove(_ user: String, from channel: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        try await store.removeMember(channel: channel, user: user)
        let notice = "you were removed from the members of channel `\(channel)` by \(session.path)"
        unsubscribe(user: user, from: channel, notice: notice)
        await publish(.unsubscribed(channel: channel, user: user, path: nil, notice: notice))
        return .ack(detail: user)
    }

    func ban(_ user: String, from channel: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        try validate(user, as: .username)
        try await store.ban(channel: channel, user: user)
        bans[channel, default: []].insert(user)
        let notice = "you were banned from channel `\(channel)` by \(session.path)"
        unsubscribe(user: user, from: channel, notice: notice)
        await publish(.banned(channel: channel, user: user, notice: notice))
        return .ack(detail: user)
    }

    func kick(_ target: String, from channel: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        let notice = "you were kicked from channel `\(channel)` by \(session.path); you may join again"
        if let path = try? SessionPath(parsing: target) {
            unsubscribe(user: path.user, path: path, from: channel, notice: notice)
            await publish(.unsubscribed(channel: channel, user: path.user, path: path.description, notice: notice))
        } else {
            unsubscribe(user: target, from: channel, notice: notice)
            await publish(.unsubscribed(channel: channel, user: target, path: nil, notice: notice))
        }
        return .ack(detail: target)
    }

    func createInvite(_ channel: String, uses: UInt32?, expiresInSecs: UInt64?, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        if uses == 0 {
            throw ProtocolError.malformedFrame("an invite needs at least one use (omit the count for unlimited)")
        }
        var expiresAtMs: Int64?
        if let expiresInSecs {
            guard expiresInSecs <= settings.maxInviteLifetimeSeconds else {
                throw ProtocolError.malformedFrame("invite expiry is too far in the future")
            }
            expiresAtMs = wallClock() + Int64(expiresInSecs) * 1000
        }
        let token = try SecureRandom.token()
        try await store.createInvite(token: token, channel: channel, uses: uses.map(Int64.init), expiresAtMs: expiresAtMs, creator: session.user)
        return .inviteToken(token: token)
    }

    /// Always acknowledged, so revoke cannot be used to test whether a token exists; deletes only
    /// when the caller administers the token's channel.
    func revokeInvite(_ token: String, session: ServerSession) async throws -> ProtocolMessage {
        if let channel = try await store.inviteChannel(token: token),
           let record = try await store.channel(named: channel),
           session.isAdmin || record.createdBy == session.user {
            try await store.deleteInvite(token: token)
        }
        return .ack(detail: token)
    }

    func listInvites(_ channel: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(channel, by: session)
        let now = wallClock()
        let invites = try await store.invites(of: channel).filter { ($0.expiresAtMs ?? .max) > now }
        return .inviteList(invites: invites.map {
            InviteInfo(token: $0.token, usesRemaining: $0.usesRemaining, expiresAt: $0.expiresAtMs.map { RFC3339Milliseconds.text(ms: $0) })
        })
    }
}
