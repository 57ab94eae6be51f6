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

/// Where a bridge in ``DeliveryMode/hooks`` puts the messages it would have pushed.
public protocol InboundSink: Sendable {
    /// Keeps `message` for the next hook; a failure is reported to the caller, which says so.
    func accept(_ message: InboundMessage) throws
    /// The messages hooks handed to the model since the last call, to report as injected.
    func takeInjected() throws -> [InboundReceipt]
}
