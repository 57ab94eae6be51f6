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
        if username == SystemNotice.reservedUsername {
            throw ProtocolError.unauthorized("username `\(username)` is reserved")
        }
        if let pin = admins.pin(for: username), pin != key.text {
            throw ProtocolError.unauthorized("username `\(username)` is reserved for a different key")
        }
        switch try await store.register(username: username, machine: machine, pubkey: key.text, now: timestamp()) {
        case .registered:
            logger.info("user registered", metadata: ["user": "\(username)", "machine": "\(machine)"])
        case .usernameTaken:
            throw ProtocolError.unauthorized("username `\(username)` is already taken")
        case .keyAlreadyEnrolled:
            throw ProtocolError.malformedFrame("malformed key or signature: public key is already enrolled")
        }
    }
}
