/// How a bridge hands inbound messages to its agent.
public enum DeliveryMode: String, Sendable, Hashable, CaseIterable {
    /// Push: each message is a `notifications/claude/channel`. Claude Code shows these only where
    /// its channels feature is enabled (a claude.ai login, the development-channels flag).
    case channel
    /// Pull: messages wait in the session's spool until a Claude Code hook (`conclave hook`)
    /// drains them into the model's context, and a background waiter wakes an idle session.
    /// Works for every account, with no feature flag.
    case hooks
}
