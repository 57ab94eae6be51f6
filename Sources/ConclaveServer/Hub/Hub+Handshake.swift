import ConclaveIdentity
import ConclaveProtocol

extension Hub {
    /// Resolves an enrolled key to its (user, machine).
    func authenticate(key: PublicKey) async throws -> (user: String, machine: String) {
        guard let machine = try await store.machine(forKey: key.text) else {
            throw ProtocolError.unauthorized("unknown machine key")
        }
        return (machine.user, machine.name)
    }

    /// Applies the registration rules and creates the account with its first machine, in one
    /// transaction (so two racing registrations of one name cannot both win, gap G4).
    func register(username: String, machine: String, key: PublicKey) async throws {
        // Reserved by meaning, not spelling: `Conclave`, `ϲonclave` and the like are `conclave`.
        if ConfusableSkeleton.of(username) == ConfusableSkeleton.of(SystemNotice.reservedUsername) {
            throw ProtocolError.unauthorized("username `\(username)` is reserved")
        }
        if let pin = admins.pin(for: username), pin != key.text {
            throw ProtocolError.unauthorized("username `\(username)` is reserved for a different key")
        }
        switch try await store.register(username: username, machine: machine, pubkey: key.text, nowMs: wallClock()) {
        case .registered:
            logger.info("user registered", metadata: ["user": "\(username)", "machine": "\(machine)"])
        case let .registeredReclaimingKey(squatted):
            // Its holder proved the key; whatever signed in through that enrolment was the holder
            // too, and now belongs to the new account.
            recordRevocation(user: squatted.user, machine: squatted.name, reason: "machine key reclaimed by its holder")
            for victim in presence.allSessions where victim.path.user == squatted.user && victim.path.machine == squatted.name {
                drop(victim, reason: "machine key reclaimed by its holder")
            }
            logger.warning("a key enrolled by another account without proof was reclaimed by its holder", metadata: [
                "user": "\(username)", "machine": "\(machine)", "previous-user": "\(squatted.user)", "previous-machine": "\(squatted.name)",
            ])
        case .usernameTaken:
            // An account whose every machine was revoked can no longer be signed in to by anyone:
            // say so, and who can free the name, instead of a bare "taken".
            if (try? await store.machines(of: username).isEmpty) == true {
                throw ProtocolError.unauthorized(
                    "username `\(username)` is already taken by an account with no machine left (every key was revoked); "
                        + "only a server admin can free the name, with `conclave user remove \(username)`")
            }
            throw ProtocolError.unauthorized("username `\(username)` is already taken")
        case let .usernameConfusable(existing):
            throw ProtocolError.unauthorized("username `\(username)` is too similar to the existing username `\(existing)`; choose another")
        case .keyAlreadyEnrolled:
            throw ProtocolError.malformedFrame("malformed key or signature: public key is already enrolled")
        }
    }
}
