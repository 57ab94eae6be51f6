import Logging

/// Why the hub ends a session. It decides how the end is logged: a slow consumer is the
/// operator's business, a removed account or a session replaced by its own owner is routine.
enum TerminationCause: String, Sendable {
    /// Its outbound queue overflowed, or a write to it stalled.
    case slowConsumer = "slow_consumer"
    /// No frame within the idle timeout.
    case idle
    /// Its user or machine was removed (by an admin, or by the user).
    case removed
    /// The key it signed in with was reclaimed by the key's holder.
    case keyReclaimed = "key_reclaimed"
    /// Another session took its path.
    case superseded

    /// The level the termination is logged at.
    var logLevel: Logger.Level {
        switch self {
        case .slowConsumer: .warning
        case .idle, .removed, .keyReclaimed: .info
        // The instance that took the path already logged it.
        case .superseded: .debug
        }
    }
}
