import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

extension Hub {
    func addMachine(_ name: String, pubkey: [UInt8], session: ServerSession) async throws -> ProtocolMessage {
        try validate(name, as: .machine)
        guard let key = try? PublicKey(bytes: pubkey) else {
            throw ProtocolError.malformedFrame("malformed key or signature: public key must be 32 bytes")
        }
        switch try await store.addMachine(user: session.user, name: name, pubkey: key.text, now: timestamp()) {
        case .added:
            return .ack(detail: name)
        case .nameTaken:
            throw ProtocolError.unauthorized("machine `\(name)` already exists on your account")
        case .keyAlreadyEnrolled:
            throw ProtocolError.malformedFrame("malformed key or signature: public key is already enrolled")
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
        recordRevocation(user: owner, machine: machine, reason: "machine key revoked")
        let victims = presence.allSessions.filter { $0.path.user == owner && $0.path.machine == machine }
        dropVictims(victims, reason: "machine key revoked", requester: session, ack: name)
        return victims.contains(where: { $0 === session }) ? nil : .ack(detail: name)
    }

    func removeUser(_ username: String, session: ServerSession) async throws -> ProtocolMessage? {
        guard session.isAdmin else { throw Refusal.notAdmin }
        let deleted = try await store.removeUser(username)
        recordRevocation(user: username, machine: nil, reason: "user removed from this server")
        for channel in deleted {
            forgetChannel(channel, notice: "channel `\(channel)` was deleted because its creator's account was removed")
        }
        for (channel, users) in bans where users.contains(username) {
            bans[channel]?.remove(username)
        }
        let victims = presence.allSessions.filter { $0.user == username }
        dropVictims(victims, reason: "user removed from this server", requester: session, ack: username)
        return victims.contains(where: { $0 === session }) ? nil : .ack(detail: username)
    }

    /// Ends every victim session; the requester, if it is one, gets its `Ack` first. Nothing
    /// here waits for queue room: a requester that stopped reading must not delay the others'
    /// revocation (found by fuzzing: the hub waited on that `Ack` before dropping anyone).
    private func dropVictims(_ victims: [ServerSession], reason: String, requester: ServerSession, ack detail: String) {
        for victim in victims {
            drop(victim, reason: reason, preceding: victim === requester ? EncodedFrame(ProtocolMessage.ack(detail: detail)) : nil)
        }
    }
}
