public import ConclaveIdentity
import ConclaveProtocol
public import ConclaveTransport

/// A `FrameServer` on a free loopback port whose connections are handled by a test's script, for
/// tests of clients (the control client, the bridge's links) against exact server behaviour.
public enum ScriptedServer {
    /// Runs `body` with the URL of a server whose connections are handled by `script`; the server
    /// stops when `body` returns.
    public static func with<T: Sendable>(
        upgradeDeadline: Duration = .seconds(10),
        configure: (inout FrameServer.Configuration) -> Void = { _ in },
        _ script: @escaping @Sendable (ServerConnection) async -> Void,
        _ body: @escaping @Sendable (ServerURL) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var configuration = FrameServer.Configuration(host: "127.0.0.1", port: 0, serverID: "test-server-id")
        configuration.upgradeDeadline = upgradeDeadline
        configure(&configuration)
        let server = try FrameServer(
            configuration: configuration,
            onRunning: { continuation.yield($0) },
            handler: script)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(try ServerURL("ws://127.0.0.1:\(port)/"))
            group.cancelAll()
            return result
        }
    }

    /// The server side of a handshake that accepts any key: `Hello` → `Challenge`, `Auth` →
    /// `Established` as `user/machine/<the Hello's session>` and `ServerInfo`. Returns whether
    /// the client got that far.
    public static func acceptHandshake(
        on connection: ServerConnection, frames: inout FrameInbound.AsyncIterator, user: String = "u", machine: String = "m"
    ) async -> Bool {
        guard case let .message(.hello(_, session))? = try? await frames.next() else { return false }
        await connection.output.send(.challenge(nonce: [UInt8](repeating: 1, count: 32)))
        guard case .message(.auth)? = try? await frames.next() else { return false }
        await connection.output.send(.established(path: SessionPath(user: user, machine: machine, session: session)))
        await connection.output.send(.serverInfo(admin: false))
        return true
    }
}
