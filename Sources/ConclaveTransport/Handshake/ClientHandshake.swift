public import ConclaveIdentity
public import ConclaveProtocol

/// The client half of the handshake: `Hello → Challenge → [Register] → Auth → Established`.
public enum ClientHandshake {
    /// A new account to claim while connecting (`Register` before `Auth`).
    public struct Registration: Sendable, Hashable {
        /// The username to claim.
        public var username: String
        /// The name of this machine under that user.
        public var machine: String

        /// Creates a registration request.
        public init(username: String, machine: String) {
            self.username = username
            self.machine = machine
        }
    }

    /// Authenticates (or registers and authenticates) on an open connection and returns the
    /// path the server assigned. `ServerInfo`, which follows `Established`, is left unread.
    public static func perform(
        on connection: FrameConnection,
        frames: inout FrameInbound.AsyncIterator,
        key: SigningKey,
        session: String,
        registration: Registration? = nil
    ) async throws -> SessionPath {
        let url = connection.url.normalized
        try await connection.outbound.send(.hello(protocolVersion: PROTOCOL_VERSION, session: session))
        let nonce: [UInt8]
        switch try await nextFrame(&frames, url: url) {
        case let .challenge(received):
            nonce = received
        case let .error(error):
            throw TransportError.handshakeRejected(url: url, error)
        case let other:
            throw TransportError.unexpectedFrame(url: url, expected: "Challenge", received: other.name)
        }
        if let registration {
            try await connection.outbound.send(
                .register(username: registration.username, machine: registration.machine, pubkey: key.publicKey.bytes))
        }
        try await connection.outbound.send(.auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce)))
        switch try await nextFrame(&frames, url: url) {
        case let .established(path):
            return path
        case let .error(error):
            throw TransportError.handshakeRejected(url: url, error)
        case let other:
            throw TransportError.unexpectedFrame(url: url, expected: "Established", received: other.name)
        }
    }

    /// The next decodable frame; a closed connection or undecodable bytes are errors.
    static func nextFrame(_ frames: inout FrameInbound.AsyncIterator, url: String) async throws -> ProtocolMessage {
        switch try await frames.next() {
        case let .message(message)?:
            return message
        case let .undecodable(error)?:
            throw TransportError.malformedFrame(url: url, error)
        case let .refused(index)?:
            throw TransportError.malformedFrame(url: url, .unknownVariant(type: "ProtocolMessage", index: index, count: 0))
        case nil:
            throw TransportError.closed(url: url)
        }
    }
}
