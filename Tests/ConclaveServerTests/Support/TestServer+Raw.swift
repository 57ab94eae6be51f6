import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

extension TestServer {
    /// Registers with hand-built frames, so tests can break any step. Returns what the server sent.
    func rawRegister(
        username: String, machine: String = "m1", key: SigningKey, authKey: SigningKey? = nil,
        session: String = "s1", signWrongBytes: Bool = false
    ) async throws -> [ProtocolMessage] {
        try await handshake(session: session) { nonce in
            let signer = authKey ?? key
            return [
                .register(username: username, machine: machine, pubkey: key.publicKey.bytes),
                .auth(pubkey: signer.publicKey.bytes, signature: signer.sign(signWrongBytes ? [0] + nonce : nonce)),
            ]
        }
    }

    /// Authenticates with hand-built frames.
    func rawAuth(key: SigningKey, session: String = "s1", signWrongBytes: Bool = false) async throws -> [ProtocolMessage] {
        try await handshake(session: session) { nonce in
            [.auth(pubkey: key.publicKey.bytes, signature: key.sign(signWrongBytes ? [0] + nonce : nonce))]
        }
    }

    /// Sends Hello, waits for the challenge, sends what `respond` builds from the nonce, and
    /// returns every frame received after the challenge until the server closes or goes quiet.
    private func handshake(
        session: String, respond: @escaping @Sendable ([UInt8]) -> [ProtocolMessage]
    ) async throws -> [ProtocolMessage] {
        try await FrameLink.connect(to: try url, timeout: .seconds(5)) { connection in
            var frames = connection.inbound.makeAsyncIterator()
            try await connection.outbound.send(.hello(protocolVersion: 1, session: session))
            guard case let .message(.challenge(nonce))? = try await frames.next() else {
                throw TestFailure("no challenge")
            }
            for frame in respond(nonce) {
                try await connection.outbound.send(frame)
            }
            var received: [ProtocolMessage] = []
            while case let .message(frame)? = try await frames.next() {
                received.append(frame)
                if case .serverInfo = frame { break }
            }
            await connection.outbound.close()
            return received
        }
    }
}
