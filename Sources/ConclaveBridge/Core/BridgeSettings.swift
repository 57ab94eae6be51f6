/// Timing and limits of the bridge; the defaults are the production values.
public struct BridgeSettings: Sendable {
    /// How long a tool call waits for a connection before failing.
    public var connectTimeout: Duration = .seconds(10)
    /// How long a request waits for the server's reply.
    public var replyTimeout: Duration = .seconds(15)
    /// A connection that lasts this long is stable (backoff reset, no handle fight).
    public var stableAfter: Duration = .seconds(30)
    /// Consecutive short connections that mean another session holds the same path.
    public var rapidDropLimit = 3
    /// How long a relayed permission request may be answered.
    public var approvalLifetime: Duration = .seconds(900)
    /// How far before the last live message a `catch_up` without `since` starts.
    public var catchUpSlackMs: Int64 = 60_000
    /// Notifications kept while the client has not finished initializing.
    public var heldNotificationLimit = 1_000

    /// The production settings.
    public init() {}
}
