import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// A plain HTTP listener for operators only: `GET /metrics` and `GET /health`, nothing else (no
/// WebSocket upgrades), so metrics can be bound to a private address apart from the clients'.
///
/// Every connection is closed after `connectionLifetime`, which bounds what a peer that opens
/// connections and sends nothing can hold; a scrape takes milliseconds.
public struct MetricsListener: Service {
    private let host: String
    private let port: Int
    private let metrics: @Sendable () async -> String
    private let healthProblem: (@Sendable () async -> String?)?
    private let onRunning: @Sendable (Int) async -> Void
    private let connectionLifetime: Duration

    /// A listener on `host:port` (port 0 picks one; `onRunning` receives it) that answers
    /// `/metrics` with `metrics()`.
    public init(
        host: String, port: Int, connectionLifetime: Duration = .seconds(10), healthProblem: (@Sendable () async -> String?)? = nil,
        metrics: @escaping @Sendable () async -> String, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.connectionLifetime = connectionLifetime
        self.healthProblem = healthProblem
        self.metrics = metrics
        self.onRunning = onRunning
    }

    /// Binds and serves until a graceful shutdown or cancellation.
    public func run() async throws {
        let (metrics, healthProblem) = (self.metrics, self.healthProblem)
        let lifetime = ChildSetup.timeAmount(connectionLifetime)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // Never removed here: it closes every connection once its lifetime is over.
                    try pipeline.addHandler(UpgradeDeadline(deadline: lifetime))
                    try pipeline.configureHTTPServerPipeline()
                    try pipeline.addHandler(PlainHTTPHandler(healthProblem: healthProblem, metrics: metrics, upgradeHint: false))
                }
            }
            .bind(host: host, port: port)
            .get()
        await onRunning(listener.localAddress?.port ?? port)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await listener.closeFuture.get()
            } onCancel: {
                listener.close(promise: nil)
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
    }
}
