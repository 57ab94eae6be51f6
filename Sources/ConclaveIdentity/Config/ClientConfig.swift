public import ConclaveProtocol

/// The contents of `config.toml`: registrations, the machine default level and overrides.
///
/// The schema is the reference's, so its files load unchanged and ours load in it.
public struct ClientConfig: Sendable, Hashable {
    /// The machine-wide level (`notify` when absent).
    public var defaultPermission: PermissionLevel
    /// Registrations, in file order.
    public var servers: [Registration]
    /// Permission overrides, in file order; the first match wins.
    public var overrides: [PermissionOverride]
    /// Who may answer this machine's Claude Code permission prompts (relayed by the bridge), each
    /// bound to one server. Empty: prompts are answered locally only.
    public var approvers: [Approver]
    /// Bare usernames from the earlier `approvers = ["name"]` form. They name no server, so they
    /// are kept in the file but trusted nowhere: `conclave approvers list` asks to re-add them
    /// with `--server`.
    public var unboundApprovers: [String]
    /// The bridge's flood and loop control (`[flood]`).
    public var flood: FloodControl
    /// Whether server URLs in the file are stored as the user wrote them (`url_style =
    /// "as-written"`). Files from before that rule hold our normal form (`ws://h:4390/`), which the
    /// reference, comparing raw strings, does not match against `ws://h:4390`;
    /// ``migrateURLSpelling()`` rewrites them.
    public var urlsAsWritten: Bool

    /// Creates a configuration; the defaults are an empty file's meaning.
    public init(
        defaultPermission: PermissionLevel = .default,
        servers: [Registration] = [],
        overrides: [PermissionOverride] = [],
        approvers: [Approver] = [],
        unboundApprovers: [String] = [],
        flood: FloodControl = FloodControl(),
        urlsAsWritten: Bool = true
    ) {
        self.urlsAsWritten = urlsAsWritten
        self.defaultPermission = defaultPermission
        self.servers = servers
        self.overrides = overrides
        self.approvers = approvers
        self.unboundApprovers = unboundApprovers
        self.flood = flood
    }

    /// The level for `scope` on `server`: the first matching override, else the machine default.
    public func permission(server: ServerURL, scope: PermissionScope) -> PermissionLevel {
        overrides.first { $0.matches(server, scope) }?.level ?? defaultPermission
    }

    /// Sets the level for (`server`, `scope`), replacing any override for the same key; the new
    /// entry goes last. The URL is stored as the registration spells it (the reference matches
    /// overrides to registrations by exact text), else as written.
    public mutating func setPermission(_ level: PermissionLevel, server: ServerURL, scope: PermissionScope) {
        overrides.removeAll { $0.matches(server, scope) }
        overrides.append(PermissionOverride(server: spelling(of: server), scope: scope, level: level))
    }

    /// How the file spells `server`: as its registration does, else as an existing override or
    /// approver for it does (one server keeps one spelling), else as written.
    public func spelling(of server: ServerURL) -> String {
        registration(for: server)?.url
            ?? overrides.first { ServerURL.key(for: $0.server) == server.normalized }?.server
            ?? approvers.first { $0.matches(server) }?.server
            ?? server.text
    }

    /// Adds an approver entry for `server` unless an identical one exists; returns whether it was added.
    @discardableResult
    public mutating func addApprover(server: ServerURL, user: String, key: String?, machine: String?) -> Bool {
        let exists = approvers.contains { $0.matches(server) && $0.user == user && $0.key == key && $0.machine == machine }
        guard !exists else { return false }
        approvers.append(Approver(storedServer: spelling(of: server), user: user, key: key, machine: machine))
        return true
    }

    /// The approvers bound to `server`.
    public func approvers(for server: ServerURL) -> [Approver] {
        approvers.filter { $0.matches(server) }
    }

    /// The registration for `server`, if any.
    public func registration(for server: ServerURL) -> Registration? {
        servers.first { $0.matches(server) }
    }

    /// Records a registration for `server` as written, replacing any previous one for the same
    /// server. Its overrides and approvers take the new spelling, so both clients keep matching
    /// them; a CA file given before is kept unless `caFile` replaces it.
    public mutating func register(server: ServerURL, username: String, machine: String, caFile: String? = nil) {
        let previous = registration(for: server)
        servers.removeAll { $0.matches(server) }
        servers.append(Registration(url: server.text, username: username, machine: machine, caFile: caFile ?? previous?.caFile))
        for index in overrides.indices where ServerURL.key(for: overrides[index].server) == server.normalized {
            overrides[index].server = server.text
        }
        for index in approvers.indices where approvers[index].matches(server) {
            approvers[index].server = server.text
        }
    }

    /// Rewrites URLs stored in our earlier normal form (`ws://h:4390/`: parses, equals its normal
    /// form, path `/`) without the trailing slash, the way people type them (`ws://h:4390`), and
    /// marks the file as storing URLs as written. Returns whether anything changed.
    ///
    /// A file without the mark is either ours from before, or was last saved by the reference
    /// (which drops keys it does not know); an entry typed with a trailing slash in the reference
    /// loses it here too, and the reference then needs the slash-less form to remove it.
    @discardableResult
    public mutating func migrateURLSpelling() -> Bool {
        guard !urlsAsWritten else { return false }
        func migrated(_ text: String) -> String {
            guard let url = try? ServerURL(text), url.normalized == text, url.path == "/" else { return text }
            return String(text.dropLast())
        }
        for index in servers.indices { servers[index].url = migrated(servers[index].url) }
        for index in overrides.indices { overrides[index].server = migrated(overrides[index].server) }
        for index in approvers.indices { approvers[index].server = migrated(approvers[index].server) }
        urlsAsWritten = true
        return true
    }

    /// Forgets `server`: its registration and every override for it. Returns how many overrides
    /// were removed, or `nil` when there was no registration (nothing is changed then).
    public mutating func forget(server: ServerURL) -> Int? {
        guard servers.contains(where: { $0.matches(server) }) else { return nil }
        servers.removeAll { $0.matches(server) }
        let before = overrides.count
        overrides.removeAll { ServerURL.key(for: $0.server) == server.normalized }
        return before - overrides.count
    }
}
