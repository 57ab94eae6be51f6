import ConclaveIdentity
import ConclaveStorage
import ConclaveTransport
public import Logging
import Prometheus
import ServiceLifecycle

/// A running Conclave server: store, hub, HTTP/WebSocket listener and maintenance, run as one
/// service group that shuts down gracefully on SIGTERM/SIGINT (or ``shutdown()``).
public actor ServerRuntime {
    private let configuration: ServerConfiguration
    private let logger: Logger
    private var group: ServiceGroup?
    private var shutdownRequested = false
    /// The port of the separate metrics listener once it is bound (``ServerConfiguration/MetricsExposure/separate(host:port:)``).
    public private(set) var metricsPort: Int?

    private func metricsBound(_ port: Int) { metricsPort = port }

    /// Prepares a server; nothing happens until ``run(onRunning:)``.
    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Opens the store, starts listening and serves until shut down. `onRunning` receives the
    /// bound port once connections are accepted.
    public func run(handleSignals: Bool = true, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let configuration = configuration
        let logger = logger
        let opened: OpenedStore
        do {
            opened = try await configuration.storage.open(logger: logger)
        } catch {
            throw ServerError.storage(error)
        }
        // The backend's background work (a connection pool) runs beside the server, owned here,
        // and is cancelled once the server has stopped.
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if let run = opened.run {
                tasks.addTask { await run() }
            }
            do {
                try await serve(opened, configuration: configuration, logger: logger, onRunning: onRunning, handleSignals: handleSignals)
            } catch {
                tasks.cancelAll()
                await opened.close()
                throw error
            }
            tasks.cancelAll()
            await opened.close()
        }
    }

    private func serve(
        _ opened: OpenedStore, configuration: ServerConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void, handleSignals: Bool
    ) async throws {
        let store = opened.store
        logger.info("store open", metadata: ["store": "\(configuration.storage.summary)"])

        for admin in configuration.admins.unpinned {
            logger.warning(
                "admin is not pinned to a key: the first registrant of this name becomes an admin; pin it with --admin <user>=<pubkey>",
                metadata: ["admin": "\(admin)"])
        }
        var settings = configuration.settings
        // Connections are descriptors: use all the system allows, and keep half of them out of
        // reach of unauthenticated peers.
        settings.descriptorLimit = settings.descriptorLimit ?? DescriptorLimit.raiseToHard()
        // A registry of this server's own (not the process-wide default), so servers started side by
        // side in one process (tests) each report only their own figures.
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Store calls take microseconds to milliseconds; the default buckets start at 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        let hub = Hub(store: store, admins: configuration.admins, settings: settings, logger: logger, metrics: ServerMetrics(factory: factory))
        let scrape: @Sendable () async -> String = {
            await hub.sampleMetrics()
            return registry.emitToString()
        }
        var directoryOperations: AsyncStream<DirectoryOperation>?
        if let link = opened.cluster {
            directoryOperations = await hub.joinCluster(link)
        }
        let serverID: String
        do {
            try await hub.start()
            serverID = try await store.instanceID()
        } catch {
            throw ServerError.storage(.failed(error.detail))
        }
        let runner = SessionRunner(hub: hub, settings: settings, logger: logger)
        let address = HostText.address(host: configuration.host, port: configuration.port)
        let application: any Service
        let listenerBinding = LabelledService.Binding()
        do {
            application = try FrameServer(
                configuration: {
                    var listener = FrameServer.Configuration(host: configuration.host, port: configuration.port, tls: configuration.tls, serverID: serverID)
                    listener.admission = hub.admission
                    listener.outputCapacity = hub.settings.outboundQueueCapacity
                    listener.healthProblem = { await hub.healthProblem() }
                    if configuration.metrics == .clientListener { listener.metrics = scrape }
                    return listener
                }(),
                onRunning: { port in
                    listenerBinding.markBound()
                    logger.info("conclave server listening", metadata: ["addr": "\(HostText.address(host: configuration.host, port: port))"])
                    await onRunning(port)
                },
                handler: { connection in await runner.run(connection) })
        } catch let TransportError.tlsConfiguration(reason) {
            // Nothing was bound yet: the certificate or key could not be loaded.
            throw ServerError.tls(reason)
        } catch {
            // Preparing binds nothing; only the certificate can fail here.
            throw ServerError.tls("\(error)")
        }

        // Shut down in reverse order.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let link = opened.cluster, let directoryOperations {
            services.append(LabelledService.configuration(
                ClusterService(hub: hub, link: link, operations: directoryOperations, logger: logger), name: "cluster"))
        }
        // Maintenance stops first, closing sessions as "going away" before the listener does.
        services.append(LabelledService.listener(application, name: "listener", address: address, binding: listenerBinding))
        if case let .separate(host, port) = configuration.metrics {
            let metricsBinding = LabelledService.Binding()
            let metrics = MetricsListener(
                host: host, port: port, healthProblem: { await hub.healthProblem() }, metrics: scrape,
                onRunning: { port in
                    metricsBinding.markBound()
                    logger.info("metrics listening", metadata: ["addr": "\(HostText.address(host: host, port: port))"])
                    await self.metricsBound(port)
                })
            services.append(LabelledService.listener(
                metrics, name: "metrics listener", address: HostText.address(host: host, port: port), binding: metricsBinding))
        }
        services.append(LabelledService.configuration(MaintenanceService(hub: hub, reapInterval: settings.reapInterval), name: "maintenance"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: Logger(label: "servicelifecycle"))
        if handleSignals {
            groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        }
        // The whole shutdown, a client that stopped reading included, is bounded at 5 s.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(4)
        let group = ServiceGroup(configuration: groupConfiguration)
        self.group = group
        if shutdownRequested {
            await group.triggerGracefulShutdown()
        }
        // Each service labels its own failure (LabelledService); anything else is the group's.
        do {
            try await group.run()
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.serviceFailed(service: "service group", reason: "\(error)")
        }
    }

    /// Starts a graceful shutdown: sessions are told, the listener stops, `run` returns.
    public func shutdown() async {
        shutdownRequested = true
        await group?.triggerGracefulShutdown()
    }
}
