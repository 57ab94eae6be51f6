/// How much an inbound message may drive the local agent. Purely local: never sent to a server.
///
/// Ordered `mute < notify < converse < act`; the default machine level is ``notify``.
public enum PermissionLevel: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible, LowercaseToken {
    /// Inbound messages are dropped; presence is unaffected.
    case mute
    /// Inbound messages are shown read-only; the agent may not post.
    case notify
    /// The agent may answer and post.
    case converse
    /// The agent may act on requests, within its own permissions.
    case act

    /// The level used when nothing more specific is configured.
    public static let `default` = PermissionLevel.notify

    /// Parses the lowercase token; anything else (including other casing) is an error.
    public init(token: String) throws(ValueParseError) {
        guard let match = Self.matching(token) else {
            throw .unknownPermissionLevel(token)
        }
        self = match
    }

    /// The lowercase token used in config files, tool arguments and command lines.
    public var token: String {
        switch self {
        case .mute: "mute"
        case .notify: "notify"
        case .converse: "converse"
        case .act: "act"
        }
    }

    /// Whether a session at this level may send (`send_channel`, `whisper`): `converse` and up.
    public var mayEmit: Bool { self >= .converse }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { token }
}
