public import ConclaveProtocol

/// A channel as stored.
public struct ChannelRecord: Sendable, Hashable {
    /// Current name.
    public var name: String
    /// Discovery tier.
    public var visibility: Visibility
    /// Username of the creator (a channel admin).
    public var createdBy: String
    /// RFC 3339 creation time.
    public var createdAt: String
}

/// An enrolled machine as stored.
public struct MachineRecord: Sendable, Hashable {
    /// Owner's username.
    public var user: String
    /// Machine name, unique within the user.
    public var name: String
    /// Canonical key text (43-character base64url).
    public var pubkey: String
    /// RFC 3339 enrollment time.
    public var addedAt: String
}

/// An invite as stored.
public struct InviteRecord: Sendable, Hashable {
    /// The bearer token.
    public var token: String
    /// Remaining uses; `nil` = unlimited.
    public var usesRemaining: Int64?
    /// Expiry in epoch milliseconds; `nil` = never.
    public var expiresAtMs: Int64?
    /// Creator's username.
    public var createdBy: String
}

/// One stored channel message.
public struct StoredMessage: Sendable, Hashable {
    /// Monotonic row id, the tie-breaker inside one millisecond.
    public var id: Int64
    /// Sender path text (`user/machine/session`).
    public var sender: String
    /// The payload in its wire encoding.
    public var payload: [UInt8]
    /// Server receive time, epoch milliseconds.
    public var tsMs: Int64
}

/// A message to append to a channel's history.
public struct NewMessage: Sendable, Hashable {
    /// Channel name.
    public var channel: String
    /// Sender path text (`user/machine/session`).
    public var sender: String
    /// The payload in its wire encoding.
    public var payload: [UInt8]
    /// Server receive time, epoch milliseconds.
    public var tsMs: Int64

    /// Creates a message record.
    public init(channel: String, sender: String, payload: [UInt8], tsMs: Int64) {
        self.channel = channel
        self.sender = sender
        self.payload = payload
        self.tsMs = tsMs
    }
}

/// Outcome of a registration attempt.
public enum RegistrationOutcome: Sendable, Hashable {
    case registered
    /// Registered with a key that another account had enrolled (with `MachineAdd`, which proves
    /// nothing); that enrolment, `from`, was removed.
    case registeredReclaimingKey(from: MachineRecord)
    case usernameTaken
    /// The username looks like `with`, an existing one (same confusable skeleton).
    case usernameConfusable(with: String)
    case keyAlreadyEnrolled
}

/// Outcome of enrolling another machine.
public enum MachineAddOutcome: Sendable, Hashable {
    case added
    case nameTaken
    case keyAlreadyEnrolled
}

/// Outcome of creating or renaming a channel.
public enum ChannelNameOutcome: Sendable, Hashable {
    case done
    case nameTaken
    case notFound
}

/// Outcome of redeeming an invite during a private join.
public enum RedemptionOutcome: Sendable, Hashable {
    /// The caller is now on the ACL.
    case admitted
    /// Unknown token, wrong channel, expired, spent, or the caller is banned.
    case refused
}
