public import ConclaveStorage

/// Why the server could not start or run.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// `--bind` is not `host:port`.
    case invalidBind(String)
    /// The store could not be opened (its data directory, its database, its schema).
    case storage(StoreOpenError)
    /// A listener (clients' or metrics') could not be started.
    case bindFailed(address: String, reason: String)
    /// A service failed after the server started: `service` names which (`listener`,
    /// `metrics`, `cluster`, `maintenance`).
    case serviceFailed(service: String, reason: String)
    /// `--tls-cert` / `--tls-key` could not be loaded.
    case tls(String)
    /// A `--limit` setting is not `NAME=VALUE` with a known name and a valid value.
    case invalidLimit(setting: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidBind(text):
            return "invalid bind address `\(text)` (expected host:port, e.g. 0.0.0.0:4390 or [::1]:4390)"
        case let .storage(error):
            return error.description
        case let .bindFailed(address, reason):
            let hint = reason.contains("in use") ? " (another process listens there: stop it, or choose another --bind)" : ""
            return "cannot listen on `\(address)`: \(reason)\(hint)"
        case let .serviceFailed(service, reason):
            return "the server's \(service) stopped: \(reason)"
        case let .tls(reason):
            return "cannot serve TLS (--tls-cert / --tls-key): \(reason)"
        case let .invalidLimit(setting, reason):
            return "invalid limit `\(setting)`: \(reason)"
        }
    }
}
