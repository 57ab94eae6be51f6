public import ConclaveStorage
public import Logging

/// ``StoreBackend`` for one server process: a locked data directory, or memory only.
public enum SQLiteBackend: StoreBackend, Hashable {
    /// A persistent data directory (created if missing, mode 0700), locked while in use.
    case directory(String)
    /// In memory; everything is lost at exit.
    case ephemeral

    public var summary: String {
        switch self {
        case let .directory(path): "sqlite in \(path)"
        case .ephemeral: "in memory (ephemeral)"
        }
    }

    public func open(logger: Logger) async throws(StoreOpenError) -> OpenedStore {
        switch self {
        case let .directory(path):
            let lock = try DataDirectoryLock(directory: path)
            let store = try SQLiteStore(path: try DataDirectoryLock.privateDatabaseFile("conclave.sqlite", in: path))
            // The lock is held until the server has stopped.
            return OpenedStore(store: store, close: { withExtendedLifetime(lock) {} })
        case .ephemeral:
            return OpenedStore(store: try SQLiteStore.inMemory())
        }
    }
}
