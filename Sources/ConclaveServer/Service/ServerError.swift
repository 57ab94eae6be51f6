/// Why the server could not start or run.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// `--bind` is not `host:port`.
    case invalidBind(String)
    /// The data directory could not be created or locked.
    case dataDirectory(path: String, reason: String)
    /// Another server already uses the data directory.
    case dataDirectoryInUse(String)
    /// The store could not be opened.
    case storage(String)
    /// The listener could not be started.
    case bindFailed(address: String, reason: String)
    /// `--tls-cert` / `--tls-key` could not be loaded.
    case tls(String)
    /// A `--limit` setting is not `NAME=VALUE` with a known name and a valid value.
    case invalidLimit(setting: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidBind(text):
            return "invalid bind address `\(text)` (expected host:port, e.g. 0.0.0.0:4390 or [::1]:4390)"
        case let .dataDirectory(path, reason):
            return "cannot use data directory `\(path)`: \(reason)"
        case let .dataDirectoryInUse(path):
            return "data directory `\(path)` is in use by another conclave server (stop it, or choose another --data-dir)"
        case let .storage(reason):
            return "cannot open the store: \(reason)"
        case let .bindFailed(address, reason):
            let hint = reason.contains("in use") ? " (another process listens there: stop it, or choose another --bind)" : ""
            return "cannot listen on `\(address)`: \(reason)\(hint)"
        case let .tls(reason):
            return "cannot serve TLS (--tls-cert / --tls-key): \(reason)"
        case let .invalidLimit(setting, reason):
            return "invalid limit `\(setting)`: \(reason)"
        }
    }
}
