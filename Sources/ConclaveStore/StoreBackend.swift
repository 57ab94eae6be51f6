public import Logging

/// A way to open a store: the server is handed one and never names a backend itself.
public protocol StoreBackend: Sendable {
    /// What the operator configured, for the log (never a password).
    var summary: String { get }
    /// Opens (creating and migrating if needed) the store.
    func open(logger: Logger) async throws(StoreOpenError) -> OpenedStore
}

/// An open store, with what a clustered backend adds.
public struct OpenedStore: Sendable {
    /// The store.
    public var store: any ConclaveStore
    /// The cross-instance bus and directory, when several server processes share the store.
    public var cluster: ClusterLink?
    /// Background work the backend needs (a connection pool, a LISTEN loop); the server runs it
    /// as a service and cancels it last at shutdown.
    public var run: (@Sendable () async -> Void)?
    /// Releases what `open` took (a lock, connections); called once the server has stopped.
    public var close: @Sendable () async -> Void

    /// Creates an open store.
    public init(
        store: any ConclaveStore, cluster: ClusterLink? = nil, run: (@Sendable () async -> Void)? = nil,
        close: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.cluster = cluster
        self.run = run
        self.close = close
    }
}
