/// What a retention sweep deleted.
public struct PurgeCounts: Sendable, Hashable {
    /// Messages past retention.
    public var messages: Int
    /// Expired invites.
    public var invites: Int

    /// Creates a record.
    public init(messages: Int, invites: Int) {
        self.messages = messages
        self.invites = invites
    }
}
