public import ConclaveProtocol

/// A channel as stored.
public struct ChannelRecord: Sendable, Hashable {
    /// Current name.
    public var name: String
    /// Discovery tier.
    public var visibility: Visibility
    /// Username of the creator (a channel admin).
    public var createdBy: String
    /// Creation time, epoch milliseconds.
    public var createdAtMs: Int64

    /// Creates a record.
    public init(name: String, visibility: Visibility, createdBy: String, createdAtMs: Int64) {
        self.name = name
        self.visibility = visibility
        self.createdBy = createdBy
        self.createdAtMs = createdAtMs
    }
}

/// An enrolled machine as stored.
public struct MachineRecord: Sendable, Hashable {
    /// Owner's username.
    public var user: String
    /// Machine name, unique within the user.
    public var name: String
    /// Canonical key text (43-character base64url).
    public var pubkey: String
    /// Enrollment time, epoch milliseconds.
    public var addedAtMs: Int64

    /// Creates a record.
    public init(user: String, name: String, pubkey: String, addedAtMs: Int64) {
        self.user = user
        self.name = name
        self.pubkey = pubkey
        self.addedAtMs = addedAtMs
    }
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

    /// Creates a record.
    public init(token: String, usesRemaining: Int64?, expiresAtMs: Int64?, createdBy: String) {
        self.token = token
        self.usesRemaining = usesRemaining
        self.expiresAtMs = expiresAtMs
        self.createdBy = createdBy
    }
}

/// One stored channel message.
public struct StoredMessage: Sendable, Hashable {
    /// Monotonic row id, the tie-breaker inside one millisecond.
    public var id: Int64
    /// The message's number in its channel (see ``AppendedMessage/seq``).
    public var seq: Int64
    /// Sender path text (`user/machine/session`).
    public var sender: String
    /// The payload in its wire encoding.
    public var payload: [UInt8]
    /// Server receive time, epoch milliseconds.
    public var tsMs: Int64

    /// Creates a record.
    public init(id: Int64, seq: Int64, sender: String, payload: [UInt8], tsMs: Int64) {
        self.id = id
        self.seq = seq
        self.sender = sender
        self.payload = payload
        self.tsMs = tsMs
    }
}

/// Where an appended message landed.
public struct AppendedMessage: Sendable, Hashable {
    /// The channel's stable id (it survives renames).
    public var channelID: Int64
    /// The message's number in its channel: 1 for the first, then one more per message, in
    /// commit order.
    public var seq: Int64
    /// The stored time: the requested one, raised when needed so a channel's times strictly
    /// increase with its numbers.
    public var tsMs: Int64

    /// Creates a record.
    public init(channelID: Int64, seq: Int64, tsMs: Int64) {
        self.channelID = channelID
        self.seq = seq
        self.tsMs = tsMs
    }
}

/// A channel's id, name and newest message number.
public struct ChannelSequence: Sendable, Hashable {
    /// The channel's stable id.
    public var channelID: Int64
    /// Its current name.
    public var name: String
    /// The number of its newest message; 0 before the first.
    public var lastSeq: Int64

    /// Creates a record.
    public init(channelID: Int64, name: String, lastSeq: Int64) {
        self.channelID = channelID
        self.name = name
        self.lastSeq = lastSeq
    }
}

/// A ban as stored.
public struct BanRecord: Sendable, Hashable {
    /// Channel name.
    public var channel: String
    /// Banned username.
    public var user: String

    /// Creates a record.
    public init(channel: String, user: String) {
        self.channel = channel
        self.user = user
    }
}

/// How many channels exist, in all and by one creator.
public struct ChannelCounts: Sendable, Hashable {
    /// Every channel.
    public var total: Int
    /// Channels the user asked about created.
    public var byUser: Int

    /// Creates a record.
    public init(total: Int, byUser: Int) {
        self.total = total
        self.byUser = byUser
    }
}

/// What a retention sweep deleted.
public struct PurgeCounts: Sendable, Hashable {
    /// Messages past retention.
    public var messages: Int
    /// Expired invites.
    public var invites: Int

    /// Creates a record.
    public init(messages: Int, invites: Int) {
        self.messages = messages
        self.invites = invites
    }
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
    /// The message id of the `receipts` extension (0 for none): not stored, but carried to the
    /// other instances so their subscribers see the same id.
    public var receiptID: UInt64

    /// Creates a message record.
    public init(channel: String, sender: String, payload: [UInt8], tsMs: Int64, receiptID: UInt64 = 0) {
        self.channel = channel
        self.sender = sender
        self.payload = payload
        self.tsMs = tsMs
        self.receiptID = receiptID
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
