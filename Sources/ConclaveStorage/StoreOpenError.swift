/// Why a store could not be opened; the server refuses to start and says this.
public enum StoreOpenError: Error, Sendable, CustomStringConvertible {
    /// The data directory could not be created, checked or locked.
    case dataDirectory(path: String, reason: String)
    /// Another server already uses the data directory.
    case dataDirectoryInUse(String)
    /// The store's schema was written by a newer Conclave; this binary must not touch it.
    case schemaTooNew(found: Int, supported: Int)
    /// Anything else: unreachable database, refused login, failed migration.
    case failed(String)

    public var description: String {
        switch self {
        case let .dataDirectory(path, reason):
            return "cannot use data directory `\(path)`: \(reason)"
        case let .dataDirectoryInUse(path):
            return "data directory `\(path)` is in use by another conclave server (stop it, or choose another --data-dir)"
        case let .schemaTooNew(found, supported):
            return "cannot open the store: its schema is version \(found), newer than this binary's \(supported); "
                + "run the newer conclave (a rolling upgrade must not run older binaries on a migrated store)"
        case let .failed(reason):
            return "cannot open the store: \(reason)"
        }
    }
}
