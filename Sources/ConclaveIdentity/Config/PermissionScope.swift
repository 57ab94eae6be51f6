public import ConclaveProtocol

/// What a permission level applies to on one server: a channel, or whispers.
public enum PermissionScope: Sendable, Hashable, CustomStringConvertible {
    /// Messages in this channel.
    case channel(String)
    /// Whispers addressed to this session.
    case whisper

    /// The channel name, or `nil` for the whisper scope (as `overrides[].channel` stores it).
    public var channelName: String? {
        if case let .channel(name) = self { return name }
        return nil
    }

    /// The channel name, or `<whisper>`, as `perm show` prints it.
    public var description: String { channelName ?? "<whisper>" }
}

/// One `[[overrides]]` entry: a level for one (server, scope).
public struct PermissionOverride: Sendable, Hashable {
    /// The server URL as stored in the file.
    public var server: String
    /// The scope; `channel` absent in the file means ``PermissionScope/whisper``.
    public var scope: PermissionScope
    /// The level.
    public var level: PermissionLevel

    /// Creates an override.
    public init(server: String, scope: PermissionScope, level: PermissionLevel) {
        self.server = server
        self.scope = scope
        self.level = level
    }

    /// Whether this override is for (`server`, `scope`), comparing normalised URLs.
    public func matches(_ server: ServerURL, _ scope: PermissionScope) -> Bool {
        self.scope == scope && ServerURL.key(for: self.server) == server.normalized
    }
}
