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

    /// Creates a configuration; the defaults are an empty file's meaning.
    public init(
        defaultPermission: PermissionLevel = .default,
        servers: [Registration] = [],
        overrides: [PermissionOverride] = [],
        approvers: [Approver] = [],
        unboundApprovers: [String] = [],
        flood: FloodControl = FloodControl()
    ) {
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
    /// entry goes last. The URL is stored in normal form.
    public mutating func setPermission(_ level: PermissionLevel, server: ServerURL, scope: PermissionScope) {
        overrides.removeAll { $0.matches(server, scope) }
        overrides.append(PermissionOverride(server: server.normalized, scope: scope, level: level))
    }

    /// The approvers bound to `server`.
    public func approvers(for server: ServerURL) -> [Approver] {
        approvers.filter { $0.matches(server) }
    }

    /// The registration for `server`, if any.
    public func registration(for server: ServerURL) -> Registration? {
        servers.first { $0.matches(server) }
    }

    /// Records a registration for `server`, replacing any previous one for the same server.
    public mutating func register(server: ServerURL, username: String, machine: String) {
        servers.removeAll { $0.matches(server) }
        servers.append(Registration(url: server.normalized, username: username, machine: machine))
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
