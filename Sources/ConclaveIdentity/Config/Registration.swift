/// One `[[servers]]` entry: this machine's account on a server.
public struct Registration: Sendable, Hashable {
    /// The server URL as stored in the file.
    public var url: String
    /// Username on that server.
    public var username: String
    /// Machine name this key is enrolled under.
    public var machine: String

    /// Creates a registration.
    public init(url: String, username: String, machine: String) {
        self.url = url
        self.username = username
        self.machine = machine
    }

    /// Whether this entry is for `server`, comparing normalised URLs.
    public func matches(_ server: ServerURL) -> Bool {
        ServerURL.key(for: url) == server.normalized
    }
}
