import ConclaveIdentity
import ConclaveProtocol

extension Hub {
    /// Resolves an enrolled key to its (user, machine).
    func authenticate(key: PublicKey) async throws -> (user: String, machine: String) {
        guard let machine = try await metrics.timed(.lookUpKey, { try await store.machine(forKey: key.text) }) else {
            throw Refusal.unknownMachineKey
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
            throw Refusal.usernameReservedForAnotherKey(username)
        }
        switch try await store.register(username: username, machine: machine, pubkey: key.text, nowMs: wallClock()) {
        case .registered:
            logger.info("user registered", metadata: ["user": "\(username)", "machine": "\(machine)"])
        case let .registeredReclaimingKey(squatted):
            // Its holder proved the key; whatever signed in through that enrolment was the holder
            // too, and now belongs to the new account.
            recordRevocation(user: squatted.user, machine: squatted.name, reason: Refusal.keyReclaimedReason)
            for victim in presence.allSessions where victim.path.user == squatted.user && victim.path.machine == squatted.name {
                drop(victim, cause: .keyReclaimed, reason: Refusal.keyReclaimedReason)
            }
            logger.warning("a key enrolled by another account without proof was reclaimed by its holder", metadata: [
                "user": "\(username)", "machine": "\(machine)", "previous-user": "\(squatted.user)", "previous-machine": "\(squatted.name)",
            ])
        case .usernameTaken:
            // An account whose every machine was revoked can no longer be signed in to by anyone:
            // say so, and who can free the name, instead of a bare "taken".
            if (try? await store.machines(of: username).isEmpty) == true {
                throw Refusal.usernameTakenWithoutMachines(username)
            }
            throw Refusal.usernameTaken(username)
        case let .usernameConfusable(existing):
            throw ProtocolError.unauthorized("username `\(username)` is too similar to the existing username `\(existing)`; choose another")
        case .keyAlreadyEnrolled:
            throw Refusal.keyAlreadyEnrolled
        }
    }
}
