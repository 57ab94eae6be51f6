public import ConclaveProtocol
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
public import ServiceLifecycle

/// The server's network surface, on SwiftNIO's own HTTP/1 server and WebSocket upgrade: WebSocket
/// upgrades on `/` (with the `x-conclave-server-id` header), `GET /health` → `ok`, and an
/// explanatory 426 for a plain `GET /`.
///
/// Each upgraded connection is handed to `handler`, which owns it until it returns; the
/// connection then closes normally (or at once, if the session already ended it). Between the
/// socket and the session there is only the pipeline: a connection waiting for its next frame
/// costs its handlers and the session's own task, nothing else. Run it as a service: a graceful
/// shutdown stops accepting and waits for the sessions (which the hub tells to go away).
public struct FrameServer: Service {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// Host or address to bind.
        public var host: String
        /// Port to bind; 0 picks a free one (see `onRunning`).
        public var port: Int
        /// Serve `wss://` directly when set.
        public var tls: ServerTLS?
        /// The instance ID advertised on every upgrade.
        public var serverID: String
        /// A connection that is not a WebSocket by then (no request, a trickled request, a
        /// stalled TLS handshake) is closed; plain HTTP requests are answered well within it.
        public var upgradeDeadline: Duration = .seconds(10)
        /// Admits or refuses each connection at accept; `nil` admits all.
        public var admission: (any ConnectionAdmission)?
        /// Why this server should not get new clients now (`nil`: healthy); `GET /health` then
        /// answers 503 with the reason, so a load balancer sends clients elsewhere.
        public var healthProblem: (@Sendable () async -> String?)?
        /// The text for `GET /metrics` (Prometheus exposition format); `nil`: not served here.
        public var metrics: (@Sendable () async -> String)?
        /// Frames a connection's ``SessionOutput`` holds for a peer that reads slower than it is
        /// sent to before ``SessionOutput/offer(_:)`` refuses (a slow consumer).
        public var outputCapacity = 1024
        /// How long a closing connection waits for the peer's answer to our WebSocket close.
        public var closeTimeout: Duration = .seconds(2)

        /// Creates a configuration.
        public init(host: String, port: Int, tls: ServerTLS? = nil, serverID: String) {
            self.host = host
            self.port = port
            self.tls = tls
            self.serverID = serverID
        }
    }

    /// Why connections that arrive once the server is shutting down are closed (1001).
    public static let shutdownReason = "server shutting down"

    private let configuration: Configuration
    private let sslContext: NIOSSLContext?
    private let onRunning: @Sendable (Int) async -> Void
    private let handler: @Sendable (ServerConnection) async -> Void

    /// Prepares a server (loading its certificate, if any); nothing is bound until ``run()``.
    ///
    /// - Parameters:
    ///   - onRunning: called with the bound port once the listener is up.
    ///   - handler: runs one connection to completion.
    public init(
        configuration: Configuration,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        handler: @escaping @Sendable (ServerConnection) async -> Void
    ) throws(TransportError) {
        self.configuration = configuration
        if let tls = configuration.tls {
            let tlsConfiguration = try tls.configuration()
            do {
                sslContext = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw .tlsConfiguration("could not use `\(tls.certificateChainPath)` / `\(tls.privateKeyPath)`: \(error)")
            }
        } else {
            sslContext = nil
        }
        self.onRunning = onRunning
        self.handler = handler
    }

    /// Binds, serves until a graceful shutdown (or cancellation), then waits for the sessions.
    public func run() async throws {
        let (connections, accepted) = AsyncStream.makeStream(of: ServerConnection.self)
        let open = OpenChannels()
        let setup = ChildSetup(configuration: configuration, sslContext: sslContext, accepted: accepted, open: open)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in setup.initialize(channel) }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        listener.closeFuture.whenComplete { _ in accepted.finish() }
        await onRunning(listener.localAddress?.port ?? configuration.port)
        let handler = handler
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { sessions in
                for await connection in connections {
                    sessions.addTask {
                        await handler(connection)
                        // Whatever the handler left open closes normally now (a no-op when the
                        // session already ended the connection).
                        connection.output.close(finals: [], ending: .normal)
                    }
                }
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
        // Cancelled rather than shut down: the listener goes too. Then no connection outlives the
        // server: keep-alive HTTP, one still upgrading, one upgraded after sessions stopped.
        try? await listener.close()
        open.closeAll()
    }
}
