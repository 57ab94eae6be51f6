/// How many channels exist, in all and by one creator.
public struct ChannelCounts: Sendable, Hashable {
    /// Every channel.
    public var total: Int
    /// Channels the user asked about created.
    public var byUser: Int

    /// Creates a record.
    public init(total: Int, byUser: Int) {
        self.total = total
        self.byUser = byUser
    }
}
