/// One session in the cluster directory.
public struct DirectoryEntry: Sendable, Hashable {
    /// Session path text (`user/machine/session`).
    public var path: String
    /// Its username.
    public var user: String
    /// The instance it is connected to.
    public var node: String
    /// Distinguishes this connection from an earlier one on the same path.
    public var token: UInt64

    /// Creates an entry.
    public init(path: String, user: String, node: String, token: UInt64) {
        self.path = path
        self.user = user
        self.node = node
        self.token = token
    }
}
