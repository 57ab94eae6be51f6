/// The refusals a Conclave server sends that clients act on, and how a client recognises them.
///
/// The wire carries a ``ProtocolError``: a kind the reference defines and a text for people. The
/// texts below are the server's, and ``Kind/init(_:)`` is the one place that reads them back, so
/// the server and its clients agree by construction instead of by matching fragments of prose in
/// several places. Reference servers send other texts; those classify as `nil`.
public enum Refusal {
    /// A refusal a client can act on.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// The request needs a server admin.
        case adminRequired
        /// The signing key is not enrolled on this server.
        case unknownMachineKey
        /// This machine was revoked, or its key reclaimed by its holder, or its account removed.
        case revoked
        /// Another connection took over this session path.
        case superseded
        /// Registration: this key already belongs to an account.
        case keyAlreadyEnrolled
        /// Registration: the username belongs to another account.
        case usernameTaken
        /// Registration: the username belongs to an account whose every machine was revoked.
        case usernameTakenWithoutMachines
        /// Registration: an admin pinned this username to another key.
        case usernameReservedForAnotherKey
        /// The channel does not exist or is not visible to the caller.
        case channelNotFound
        /// The session is not subscribed to the channel (never joined, left, or was kicked).
        case notMember
        /// The server could not store or read what was asked.
        case storage
    }

    /// Only a server admin may do this.
    public static let adminRequired = ProtocolError.unauthorized("not authorized: admin role required")
    /// The handshake's key is not enrolled.
    public static let unknownMachineKey = ProtocolError.unauthorized("unknown machine key")
    /// The storage failed; details stay in the server's log (gap G7).
    public static let storage = ProtocolError.internal("storage failure")
    /// Registration or `machine add` with a key that already belongs to an account.
    public static let keyAlreadyEnrolled = ProtocolError.malformedFrame("malformed key or signature: public key is already enrolled")

    /// Why a session ends when its machine is revoked.
    public static let machineRevokedReason = "machine key revoked"
    /// Why a session ends when another account proved the key it had enrolled without proof.
    public static let keyReclaimedReason = "machine key reclaimed by its holder"
    /// Why a session ends when its account is removed.
    public static let userRemovedReason = "user removed from this server"
    /// Why a session ends when a newer connection claims its path.
    public static let supersededReason = "session superseded by a newer connection for the same session path"

    /// The username belongs to another account.
    public static func usernameTaken(_ name: String) -> ProtocolError {
        .unauthorized("username `\(name)` is already taken")
    }

    /// The username's account has no machine left: only an admin can free it.
    public static func usernameTakenWithoutMachines(_ name: String) -> ProtocolError {
        .unauthorized(
            "username `\(name)` is already taken by an account with no machine left (every key was revoked); "
                + "only a server admin can free the name, with `conclave user remove \(name)`")
    }

    /// An admin pinned the username to another key.
    public static func usernameReservedForAnotherKey(_ name: String) -> ProtocolError {
        .unauthorized("username `\(name)` is reserved for a different key")
    }

    /// The session is not subscribed to the channel it addressed.
    public static func notMember(_ name: String) -> ProtocolError {
        .unauthorized("not a member of channel `\(name)`")
    }

    /// One text for a missing channel and for one the caller may not know about, so refusals
    /// never reveal that a private or unlisted channel exists (gaps G5, G6).
    public static func channelNotFound(_ name: String) -> ProtocolError {
        .notFound("channel `\(name)` not found")
    }
}

extension Refusal.Kind {
    /// The kind of `error`, if a Conclave server sent it; `nil` for anything else.
    public init?(_ error: ProtocolError) {
        switch error {
        case Refusal.adminRequired: self = .adminRequired
        case Refusal.unknownMachineKey: self = .unknownMachineKey
        case Refusal.storage: self = .storage
        case Refusal.keyAlreadyEnrolled: self = .keyAlreadyEnrolled
        case let .unauthorized(text):
            switch text {
            case Refusal.machineRevokedReason, Refusal.keyReclaimedReason, Refusal.userRemovedReason: self = .revoked
            case Refusal.supersededReason: self = .superseded
            default:
                if Self.fills(text, Refusal.usernameTakenWithoutMachines) {
                    self = .usernameTakenWithoutMachines
                } else if Self.fills(text, Refusal.usernameTaken) {
                    self = .usernameTaken
                } else if Self.fills(text, Refusal.usernameReservedForAnotherKey) {
                    self = .usernameReservedForAnotherKey
                } else if Self.fills(text, Refusal.notMember) {
                    self = .notMember
                } else {
                    return nil
                }
            }
        case let .notFound(text) where Self.fills(text, Refusal.channelNotFound):
            self = .channelNotFound
        default:
            return nil
        }
    }

    private static func detail(of error: ProtocolError) -> String {
        switch error {
        case .versionMismatch: ""
        case let .malformedFrame(text), let .unauthorized(text), let .notFound(text), let .internal(text): text
        }
    }

    /// Whether `text` is `template` with some name filled in: the template is rendered with a
    /// marker and both sides of it must match, so the rule cannot drift from the text.
    private static func fills(_ text: String, _ template: (String) -> ProtocolError) -> Bool {
        let marker: Character = "\u{0}"
        let parts = detail(of: template(String(marker))).split(separator: marker, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, text.hasPrefix(parts[0]), text.hasSuffix(parts[parts.count - 1]) else { return false }
        // A name appears more than once in some texts: every literal part must follow in order.
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst() {
            guard let range = rest.firstRange(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
