/// One `[[servers]]` entry: this machine's account on a server.
public struct Registration: Sendable, Hashable {
    /// The server URL as stored in the file.
    public var url: String
    /// Username on that server.
    public var username: String
    /// Machine name this key is enrolled under.
    public var machine: String
    /// A PEM file of the certificate authority that signs this server's TLS certificate (a
    /// private CA or a self-signed certificate), trusted instead of the system's store for this
    /// server only. `ca_file` in the file; the reference ignores the key.
    public var caFile: String?

    /// Creates a registration.
    public init(url: String, username: String, machine: String, caFile: String? = nil) {
        self.url = url
        self.username = username
        self.machine = machine
        self.caFile = caFile
    }

    /// Whether this entry is for `server`, comparing normalised URLs.
    public func matches(_ server: ServerURL) -> Bool {
        ServerURL.key(for: url) == server.normalized
    }
}
