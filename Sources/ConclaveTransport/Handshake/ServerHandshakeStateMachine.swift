public import ConclaveIdentity
public import ConclaveProtocol

/// The server half of the handshake as a pure state machine: feed it each frame the client sends,
/// perform the action it returns. It checks versions, key and signature lengths, signatures and
/// names; the caller does what needs the store (looking up or enrolling the key).
///
/// Differences from the reference, all in the order of refusals only: the session handle is
/// validated together with the other names, **before** anything is persisted (reference gap G3),
/// and names follow ``SessionPath/validateComponent(_:kind:)``.
public struct ServerHandshakeStateMachine: Sendable {
    /// What the server must do next.
    public enum Action: Sendable, Equatable {
        /// Send `Challenge { nonce }`.
        case sendChallenge([UInt8])
        /// Nothing to send yet (a `Register` arrived; its `Auth` must follow).
        case awaitNextFrame
        /// Send `Error(error)` and close.
        case reject(ProtocolError)
        /// The key proved possession: look it up; unknown → `Unauthorized("unknown machine key")`.
        case authenticate(key: PublicKey, session: String)
        /// The key proved possession and all names are valid: apply the registration rules.
        case register(username: String, machine: String, key: PublicKey, session: String)
    }

    private enum State: Sendable {
        case awaitingHello
        case awaitingCredentials(session: String)
        case awaitingAuthAfterRegister(session: String, username: String, machine: String, pubkey: [UInt8])
        case finished
    }

    private var state = State.awaitingHello
    private let nonce: [UInt8]

    /// Creates a machine that will challenge the client with `nonce` (32 random bytes).
    public init(nonce: [UInt8]) {
        self.nonce = nonce
    }

    /// Advances with the next frame from the client.
    public mutating func receive(_ frame: ProtocolMessage) -> Action {
        switch (state, frame) {
        case let (.awaitingHello, .hello(version, session)):
            switch ProtocolVersion.negotiate(offered: version) {
            case .accepted:
                state = .awaitingCredentials(session: session)
                return .sendChallenge(nonce)
            case let .rejected(error):
                return finish(.reject(error))
            }
        case (.awaitingHello, _):
            return finish(.reject(.malformedFrame("expected Hello")))

        case let (.awaitingCredentials(session), .register(username, machine, pubkey)):
            state = .awaitingAuthAfterRegister(session: session, username: username, machine: machine, pubkey: pubkey)
            return .awaitNextFrame
        case let (.awaitingCredentials(session), .auth(pubkey, signature)):
            return finish(verify(pubkey: pubkey, signature: signature) { key in
                if let problem = Self.nameProblem(session, kind: .session) { return .reject(problem) }
                return .authenticate(key: key, session: session)
            })
        case (.awaitingCredentials, _):
            return finish(.reject(.malformedFrame("expected Register or Auth")))

        case let (.awaitingAuthAfterRegister(session, username, machine, registered), .auth(pubkey, signature)):
            guard pubkey == registered else {
                return finish(.reject(.unauthorized("auth key does not match the registered key")))
            }
            return finish(verify(pubkey: pubkey, signature: signature) { key in
                for (name, kind) in [(username, ValueParseError.NameKind.username), (machine, .machine), (session, .session)] {
                    if let problem = Self.nameProblem(name, kind: kind) { return .reject(problem) }
                }
                return .register(username: username, machine: machine, key: key, session: session)
            })
        case (.awaitingAuthAfterRegister, _):
            return finish(.reject(.malformedFrame("expected Auth after Register")))

        case (.finished, _):
            return .reject(.malformedFrame("unexpected frame from client"))
        }
    }

    /// Advances with a frame that is not a handshake frame, refused by its variant before its
    /// body was decoded: the refusal is the one any such frame gets in the current state.
    public mutating func receiveNonHandshakeFrame() -> Action {
        // `Ping` stands for every variant that is neither Hello, Register nor Auth.
        receive(.ping)
    }

    private mutating func finish(_ action: Action) -> Action {
        state = .finished
        return action
    }

    private func verify(pubkey: [UInt8], signature: [UInt8], then next: (PublicKey) -> Action) -> Action {
        guard pubkey.count == PublicKey.byteCount, let key = try? PublicKey(bytes: pubkey) else {
            return .reject(.malformedFrame("malformed key or signature: public key must be 32 bytes"))
        }
        guard signature.count == PublicKey.signatureByteCount else {
            return .reject(.malformedFrame("malformed key or signature: signature must be 64 bytes"))
        }
        guard key.verify(signature: signature, for: nonce) else {
            return .reject(.unauthorized("signature verification failed"))
        }
        return next(key)
    }

    private static func nameProblem(_ name: String, kind: ValueParseError.NameKind) -> ProtocolError? {
        do {
            try NamePolicy.validate(name, kind: kind)
            return nil
        } catch {
            return .malformedFrame(error.description)
        }
    }
}
