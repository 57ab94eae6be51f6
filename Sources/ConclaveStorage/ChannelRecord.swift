public import ConclaveProtocol

/// A channel as stored.
public struct ChannelRecord: Sendable, Hashable {
    /// Current name.
    public var name: String
    /// Discovery tier.
    public var visibility: Visibility
    /// Username of the creator (a channel admin).
    public var createdBy: String
    /// Creation time, epoch milliseconds.
    public var createdAtMs: Int64

    /// Creates a record.
    public init(name: String, visibility: Visibility, createdBy: String, createdAtMs: Int64) {
        self.name = name
        self.visibility = visibility
        self.createdBy = createdBy
        self.createdAtMs = createdAtMs
    }
}
