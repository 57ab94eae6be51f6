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
