/// One entry of `[[approver]]` in `config.toml`: who may answer this machine's Claude Code
/// permission prompts, on which server, and with which key.
///
/// An approver is bound to one server: the same username on another server is another person.
/// Prompts are sealed to the approver's machine key, so only a process holding that private key
/// (`conclave approve`) can read one or answer it. Without a pinned key the approver must be this
/// machine's own user on that server, whose machine keys the bridge reads from the server.
public struct Approver: Sendable, Hashable {
    /// The server URL as stored in the file (compared in normal form).
    public var server: String
    /// The approver's username on that server.
    public var user: String
    /// The approver machine's Ed25519 public key (base64url), if pinned.
    public var key: String?
    /// The approver's machine name, if pinned: only that machine's sessions are asked.
    public var machine: String?

    /// Creates an entry; `server` is stored as written.
    public init(server: ServerURL, user: String, key: String? = nil, machine: String? = nil) {
        self.init(storedServer: server.text, user: user, key: key, machine: machine)
    }

    /// Creates an entry from the file's text as it stands.
    init(storedServer: String, user: String, key: String?, machine: String?) {
        self.server = storedServer
        self.user = user
        self.key = key
        self.machine = machine
    }

    /// Whether this entry is for `server`, comparing normalised URLs.
    public func matches(_ server: ServerURL) -> Bool {
        ServerURL.key(for: self.server) == server.normalized
    }

    /// Whether a session at `path` on this entry's server is this approver.
    public func covers(user: String, machine: String) -> Bool {
        user == self.user && (self.machine == nil || self.machine == machine)
    }
}
