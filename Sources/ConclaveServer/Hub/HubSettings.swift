import ConclaveProtocol

/// Tunables of the hub; the defaults are the reference's values.
public struct HubSettings: Sendable {
    /// The descriptors the process may open, when known: unauthenticated connections are kept
    /// below half of it (set by the runtime after raising the soft limit).
    public var descriptorLimit: Int?
    /// Frames a session's outbound queue holds before a delivery makes it a slow consumer.
    public var outboundQueueCapacity = 1024
    /// Most messages in one `History` reply.
    public var historyPageLimit = HistoryPaging.pageLimit
    /// Most payload bytes in one `History` reply, so a page never exceeds what peers accept.
    public var historyPageBytes = HistoryPaging.pageBytes
    /// How long history is kept.
    public var historyRetention: Duration = .seconds(7 * 24 * 3600)
    /// A session silent for this long is dropped.
    public var idleTimeout: Duration = .seconds(60)
    /// How often idle sessions are looked for.
    public var reapInterval: Duration = .seconds(15)
    /// The whole handshake must complete within this.
    public var handshakeDeadline: Duration = .seconds(10)
    /// A socket write pending this long means the peer stopped reading; the reaper cuts it.
    public var writeTimeout: Duration = .seconds(10)
    /// Most posts written in one transaction.
    public var commitBatchLimit = 256
    /// Most posts one session may have admitted and not yet acknowledged; its next post waits.
    public var postPipelineDepth = 64
    /// Flood controls.
    public var limits = ServerLimits()
    /// Longest accepted invite lifetime (about 100 years).
    public var maxInviteLifetimeSeconds: UInt64 = 100 * 365 * 24 * 3600

    /// The reference's values.
    public init() {}
}
