/// A text value (from a command line, a config file or a tool argument) that is not a valid
/// protocol value. The description is a sentence a user can act on.
public enum ValueParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not one of `mute`, `notify`, `converse`, `act`.
    case unknownPermissionLevel(String)
    /// Not one of `public`, `unlisted`, `private`.
    case unknownVisibility(String)
    /// Not three valid `/`-separated components.
    case invalidSessionPath(String)
    /// A name component that breaks `SessionPath.validateComponent(_:)`; `reason` says which rule.
    case invalidName(kind: NameKind, value: String, reason: String)
    /// Not one of the receipt states.
    case unknownReceiptState(String)
    /// Not a duration such as `90`, `30s`, `15m`, `2h`, `7d` or `1h30m`; `reason` says why.
    case invalidDuration(String, reason: String)

    /// Which name was being validated, for the error text.
    public enum NameKind: String, Sendable, Hashable {
        case username
        case machine = "machine name"
        case session = "session handle"
        case channel = "channel name"
    }

    public var description: String {
        switch self {
        case let .unknownPermissionLevel(value):
            return "unknown permission level `\(value)` (expected mute, notify, converse, or act)"
        case let .unknownVisibility(value):
            return "unknown visibility tier `\(value)` (expected public, unlisted, or private)"
        case let .invalidSessionPath(value):
            return "`\(value)` is not a `user/machine/session` path"
        case let .invalidName(kind, value, reason):
            return "invalid \(kind.rawValue): `\(value)` (\(reason))"
        case let .unknownReceiptState(value):
            return "unknown receipt state `\(value)` (expected one of: \(ReceiptState.allCases.map(\.token).joined(separator: ", ")))"
        case let .invalidDuration(value, reason):
            return "invalid duration `\(value)`: \(reason)"
        }
    }
}
