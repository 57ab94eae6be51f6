import ConclaveProtocol

extension Hub {
    func join(_ name: String, token: String?, session: ServerSession) async throws -> ProtocolMessage {
        if let refusal = limiters.admitJoin(from: session.path, now: .now) { throw refusal }
        guard let channel = try await store.channel(named: name) else { throw Refusal.channelNotFound(name) }
        let member = try await isMember(name, session.user)
        if bans[name]?.contains(session.user) == true {
            // Existence of a non-public channel is not revealed to a banned non-member.
            throw channel.visibility == .public || member ? Refusal.banned(name) : Refusal.channelNotFound(name)
        }
        if !member, channel.visibility == .private {
            guard let token else { throw Refusal.channelNotFound(name) }
            let outcome = try await store.redeemInvite(token: token, channel: name, user: session.user, nowMs: wallClock())
            guard outcome == .admitted else { throw Refusal.channelNotFound(name) }
        }
        // Re-check what may have changed while the store was consulted.
        guard presence.session(at: session.path) === session, bans[name]?.contains(session.user) != true else {
            throw Refusal.banned(name)
        }
        presence.subscribe(session.path, to: name)
        recordInDirectory(.subscribe(path: session.path.description, token: session.clusterToken, channel: name))
        return .joined(channel: name)
    }

    func who(_ name: String?, session: ServerSession) async throws -> ProtocolMessage {
        guard let name else {
            return .presence(channel: nil, sessions: try await clusterSessionPaths())
        }
        guard let channel = try await store.channel(named: name) else { throw Refusal.channelNotFound(name) }
        if channel.visibility != .public, !session.isAdmin, try await !isMember(name, session.user) {
            throw Refusal.channelNotFound(name)
        }
        return .presence(channel: name, sessions: try await clusterSubscriberPaths(of: name))
    }

    func listChannels(session: ServerSession) async throws -> ProtocolMessage {
        let memberships = try await store.memberships(of: session.user)
        let visible = try await store.channels().filter {
            session.isAdmin || $0.visibility == .public || memberships.contains($0.name)
        }
        return .channelList(channels: visible.map {
            ChannelInfo(name: $0.name, visibility: $0.visibility, member: memberships.contains($0.name))
        })
    }

    func createChannel(_ name: String, visibility: Visibility, session: ServerSession) async throws -> ProtocolMessage {
        try validate(name, as: .channel)
        if let refusal = limiters.admitChannelChange(by: session.user, now: .now) { throw refusal }
        let limits = settings.limits
        if limits.channels != nil || limits.channelsPerUser != nil {
            let counts = try await store.channelCounts(createdBy: session.user)
            if let limit = limits.channels, counts.total >= limit {
                metrics.limitTripped(.channels)
                // The bound that keeps every ChannelList reply far below the frame limit.
                throw Refusal.capacity("channels on this server", limit: limit, advice: "ask an operator to delete unused channels")
            }
            if let limit = limits.channelsPerUser, counts.byUser >= limit {
                metrics.limitTripped(.userChannels)
                throw Refusal.capacity("channels created by user `\(session.user)`", limit: limit, advice: "delete channels you no longer use")
            }
        }
        switch try await store.createChannel(name: name, visibility: visibility, creator: session.user, nowMs: wallClock()) {
        case .done:
            return .ack(detail: name)
        case .nameTaken, .notFound:
            // Names are unique, so a taken name is necessarily known; the text is the same for
            // every tier.
            throw ProtocolError.unauthorized("channel name `\(name)` is already taken")
        }
    }

    func deleteChannel(_ name: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(name, by: session)
        _ = try await store.deleteChannel(named: name)
        let notice = "channel `\(name)` was deleted by \(session.path)"
        forgetChannel(name, notice: notice)
        await publish(.channelDeleted(channel: name, notice: notice))
        return .ack(detail: name)
    }

    /// Drops the in-memory state of a deleted channel and tells its subscribers.
    func forgetChannel(_ name: String, notice: String) {
        bans[name] = nil
        encryptedChannels.remove(name)
        lastStamps[name] = nil
        sequencer.forget(name)
        for subscriber in presence.removeChannel(name) {
            notify(subscriber, notice)
        }
    }

    func renameChannel(_ name: String, to newName: String, session: ServerSession) async throws -> ProtocolMessage {
        _ = try await administeredChannel(name, by: session)
        guard !encryptedChannels.contains(name) else {
            // Every ciphertext is bound to the channel's name: a new name would make its history unreadable.
            throw ProtocolError.unauthorized("`#\(name)` is end-to-end encrypted and cannot be renamed (its messages are bound to its name)")
        }
        try validate(newName, as: .channel)
        if let refusal = limiters.admitChannelChange(by: session.user, now: .now) { throw refusal }
        switch try await store.renameChannel(from: name, to: newName) {
        case .done:
            guard name != newName else { return .ack(detail: newName) }
            let notice = "channel `\(name)` was renamed to `\(newName)` by \(session.path); post to the new name"
            applyRename(name, to: newName, notice: notice)
            await publish(.channelRenamed(channel: name, to: newName, notice: notice))
            return .ack(detail: newName)
        case .nameTaken:
            throw ProtocolError.unauthorized("channel name `\(newName)` is already taken")
        case .notFound:
            throw Refusal.channelNotFound(name)
        }
    }

    /// Moves the in-memory state of a renamed channel and tells its subscribers.
    func applyRename(_ name: String, to newName: String, notice: String) {
        presence.renameChannel(name, to: newName)
        sequencer.rename(name, to: newName)
        lastStamps[newName] = lastStamps.removeValue(forKey: name)
        if let banned = bans.removeValue(forKey: name) { bans[newName] = banned }
        for subscriber in presence.subscribers(of: newName) {
            notify(subscriber, notice)
        }
    }
}
