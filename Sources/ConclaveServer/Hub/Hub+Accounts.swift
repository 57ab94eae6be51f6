import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

extension Hub {
    func addMachine(_ name: String, pubkey: [UInt8], session: ServerSession) async throws -> ProtocolMessage {
        try validate(name, as: .machine)
        guard let key = try? PublicKey(bytes: pubkey) else {
            throw ProtocolError.malformedFrame("malformed key or signature: public key must be 32 bytes")
        }
        switch try await store.addMachine(user: session.user, name: name, pubkey: key.text, nowMs: wallClock()) {
        case .added:
            return .ack(detail: name)
        case .nameTaken:
            throw ProtocolError.unauthorized("machine `\(name)` already exists on your account")
        case .keyAlreadyEnrolled:
            throw Refusal.keyAlreadyEnrolled
        }
    }

    /// Revokes a machine of the caller's own account, or — for a server admin — `user/machine`
    /// of any account (gap G24). Its live sessions are terminated; if the caller is one of them,
    /// the `Ack` is queued before the termination.
    func removeMachine(_ name: String, session: ServerSession) async throws -> ProtocolMessage? {
        var owner = session.user
        var machine = name
        if let slash = name.firstIndex(of: "/") {
            guard session.isAdmin else { throw Refusal.notAdmin }
            owner = String(name[..<slash])
            machine = String(name[name.index(after: slash)...])
        }
        _ = try await store.removeMachine(user: owner, name: machine)
        let selfRevoked = applyRevocation(
            user: owner, machine: machine, reason: Refusal.machineRevokedReason, deletedChannels: [], requester: session, ack: name)
        await publish(.revoked(user: owner, machine: machine, reason: Refusal.machineRevokedReason, deletedChannels: []))
        return selfRevoked ? nil : .ack(detail: name)
    }

    func removeUser(_ username: String, session: ServerSession) async throws -> ProtocolMessage? {
        guard session.isAdmin else { throw Refusal.notAdmin }
        let deleted = try await store.removeUser(username)
        let reason = Refusal.userRemovedReason
        let selfRevoked = applyRevocation(
            user: username, machine: nil, reason: reason, deletedChannels: deleted, requester: session, ack: username)
        await publish(.revoked(user: username, machine: nil, reason: reason, deletedChannels: deleted))
        return selfRevoked ? nil : .ack(detail: username)
    }

    /// Ends the sessions of `user`'s `machine` (every machine when `nil`) on this instance, and
    /// forgets what the account removal deleted; returns whether `requester` was one of them (it
    /// then got its `Ack` first).
    @discardableResult
    func applyRevocation(
        user: String, machine: String?, reason: String, deletedChannels: [String], requester: ServerSession?, ack: String
    ) -> Bool {
        recordRevocation(user: user, machine: machine, reason: reason)
        for channel in deletedChannels {
            forgetChannel(channel, notice: "channel `\(channel)` was deleted because its creator's account was removed")
        }
        if machine == nil {
            for (channel, users) in bans where users.contains(user) {
                bans[channel]?.remove(user)
            }
        }
        let victims = presence.allSessions.filter { $0.user == user && (machine == nil || $0.path.machine == machine) }
        dropVictims(victims, reason: reason, requester: requester, ack: ack)
        return victims.contains(where: { $0 === requester })
    }

    /// Ends every victim session; the requester, if it is one, gets its `Ack` first. Nothing
    /// here waits for queue room: a requester that stopped reading must not delay the others'
    /// revocation (found by fuzzing: the hub waited on that `Ack` before dropping anyone).
    private func dropVictims(_ victims: [ServerSession], reason: String, requester: ServerSession?, ack detail: String) {
        for victim in victims {
            drop(victim, cause: .removed, reason: reason, preceding: victim === requester ? EncodedFrame(ProtocolMessage.ack(detail: detail)) : nil)
        }
    }
}
