/// A ban as stored.
public struct BanRecord: Sendable, Hashable {
    /// Channel name.
    public var channel: String
    /// Banned username.
    public var user: String

    /// Creates a record.
    public init(channel: String, user: String) {
        self.channel = channel
        self.user = user
    }
}
