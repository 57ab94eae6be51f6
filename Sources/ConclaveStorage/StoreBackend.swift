public import Logging

/// A way to open a store: the server is handed one and never names a backend itself.
public protocol StoreBackend: Sendable {
    /// What the operator configured, for the log (never a password).
    var summary: String { get }
    /// Opens (creating and migrating if needed) the store.
    func open(logger: Logger) async throws(StoreOpenError) -> OpenedStore
}
