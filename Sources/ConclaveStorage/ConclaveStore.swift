public import ConclaveProtocol

/// Everything the server persists, behind one protocol: SQLite (`ConclaveSQLite`) for one
/// server process, PostgreSQL (`ConclavePostgres`) for several sharing one store. The
/// contract suite in the server's tests runs against both.
///
/// Requirements every implementation must meet:
/// - each method is atomic: a multi-row change (registration, cascades, invite redemption plus
///   the ACL row) happens entirely or not at all;
/// - a method that returns has made its change durable;
/// - usernames in memberships and bans need not exist (the reference accepts any name);
/// - times are epoch milliseconds;
/// - each channel numbers its messages 1, 2, 3… in commit order (``AppendedMessage/seq``), with
///   no gaps and no reuse, so a reader that knows the last number it saw can tell whether it
///   missed one;
/// - a channel's stored times strictly increase with its numbers (a time is raised to one past
///   the channel's newest when needed), so history read by time is in commit order and no
///   millisecond holds two messages of one channel, however many instances write to it.
public protocol ConclaveStore: Sendable {
    /// The server instance ID, created on first use and stable afterwards.
    func instanceID() async throws(StoreError) -> String

    // MARK: Accounts and machines

    /// Creates the user and its first machine, unless the name or the key is taken.
    func register(username: String, machine: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> RegistrationOutcome
    /// The (user, machine) a key is enrolled under.
    func machine(forKey pubkey: String) async throws(StoreError) -> MachineRecord?
    /// Enrolls another machine under `user`.
    func addMachine(user: String, name: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> MachineAddOutcome
    /// Removes a machine; returns whether it existed.
    func removeMachine(user: String, name: String) async throws(StoreError) -> Bool
    /// A user's machines.
    func machines(of user: String) async throws(StoreError) -> [MachineRecord]
    /// Whether a user exists.
    func userExists(_ username: String) async throws(StoreError) -> Bool
    /// All usernames.
    func usernames() async throws(StoreError) -> [String]
    /// Deletes a user, its machines, its memberships and the channels it created (with their
    /// memberships, invites, bans and history), plus bans naming it and invites it minted.
    /// Returns the names of the channels deleted.
    func removeUser(_ username: String) async throws(StoreError) -> [String]

    // MARK: Channels

    /// Creates a channel with its creator as first ACL member.
    func createChannel(name: String, visibility: Visibility, creator: String, nowMs: Int64) async throws(StoreError) -> ChannelNameOutcome
    /// A channel by exact name.
    func channel(named name: String) async throws(StoreError) -> ChannelRecord?
    /// Every channel.
    func channels() async throws(StoreError) -> [ChannelRecord]
    /// Each channel's newest message timestamp (channels without messages are absent).
    func latestTimestamps() async throws(StoreError) -> [String: Int64]
    /// How many channels exist, and how many of them `user` created.
    func channelCounts(createdBy user: String) async throws(StoreError) -> ChannelCounts
    /// Every channel's id, name and newest message number, to start or resume in-order delivery.
    func channelSequences() async throws(StoreError) -> [ChannelSequence]
    /// Deletes a channel and everything attached to it; returns whether it existed.
    func deleteChannel(named name: String) async throws(StoreError) -> Bool
    /// Renames a channel; memberships, invites, bans and history follow.
    func renameChannel(from name: String, to newName: String) async throws(StoreError) -> ChannelNameOutcome
    /// Changes a channel's tier.
    func setVisibility(of name: String, to visibility: Visibility) async throws(StoreError)

    // MARK: ACL and bans

    /// Adds `user` to the ACL (idempotent) and lifts any ban.
    func addMember(channel: String, user: String) async throws(StoreError)
    /// Removes `user` from the ACL (idempotent).
    func removeMember(channel: String, user: String) async throws(StoreError)
    /// The ACL of a channel.
    func members(of channel: String) async throws(StoreError) -> [String]
    /// Names of the channels `user` is on the ACL of.
    func memberships(of user: String) async throws(StoreError) -> Set<String>
    /// Removes `user` from the ACL and records a ban (idempotent).
    func ban(channel: String, user: String) async throws(StoreError)
    /// Lifts a ban (idempotent); grants no membership.
    func unban(channel: String, user: String) async throws(StoreError)
    /// Every ban, for the in-memory mirror.
    func allBans() async throws(StoreError) -> [BanRecord]

    // MARK: Invites

    /// Stores a new invite.
    func createInvite(token: String, channel: String, uses: Int64?, expiresAtMs: Int64?, creator: String) async throws(StoreError)
    /// Redeems `token` for `user` on `channel` atomically: checks channel, expiry, remaining uses
    /// and bans, consumes one use (deleting the token at zero or when expired), adds the ACL row.
    func redeemInvite(token: String, channel: String, user: String, nowMs: Int64) async throws(StoreError) -> RedemptionOutcome
    /// The channel an invite belongs to.
    func inviteChannel(token: String) async throws(StoreError) -> String?
    /// Deletes an invite.
    func deleteInvite(token: String) async throws(StoreError)
    /// A channel's outstanding invites.
    func invites(of channel: String) async throws(StoreError) -> [InviteRecord]

    // MARK: History

    /// Appends messages in order, all in one transaction: when this returns, every one of them is
    /// durable; when it throws, none is stored. Returns where each landed, `nil` for a message
    /// whose channel no longer exists (it is skipped). A clustered backend announces each stored
    /// message to the other instances as part of the same commit.
    @discardableResult
    func appendMessages(_ messages: [NewMessage]) async throws(StoreError) -> [AppendedMessage?]
    /// Deletes the oldest messages of `channel` beyond the newest `count`; returns how many.
    func trimHistory(of channel: String, keeping count: Int) async throws(StoreError) -> Int
    /// Messages with `ts_ms > sinceMs`, oldest first, at most `limit` rows.
    func messages(in channel: String, after sinceMs: Int64, limit: Int) async throws(StoreError) -> [StoredMessage]
    /// Messages of the channel with id `channelID` numbered above `afterSeq`, in number order, at
    /// most `limit` rows: how an instance fills a gap in what it has delivered.
    func messages(inChannelID channelID: Int64, afterSeq: Int64, limit: Int) async throws(StoreError) -> [StoredMessage]
    /// Deletes messages older than `cutoffMs` and invites expired before `nowMs`.
    func purge(messagesBefore cutoffMs: Int64, invitesExpiredBefore nowMs: Int64) async throws(StoreError) -> PurgeCounts

    // MARK: End-to-end encryption

    /// Records the X25519 key announcement (its wire encoding) of `user`'s machine `machine`,
    /// replacing any earlier one; `false` when there is no such machine.
    func setAgreement(user: String, machine: String, announcement: [UInt8]) async throws(StoreError) -> Bool
    /// The announcements of `users`' machines, keyed by `user/machine` (machines without one are
    /// left out).
    func agreements(of users: [String]) async throws(StoreError) -> [String: [UInt8]]
    /// Marks a channel end-to-end encrypted, for good; `false` when there is no such channel.
    func markEncrypted(channel: String) async throws(StoreError) -> Bool
    /// The names of the end-to-end encrypted channels.
    func encryptedChannels() async throws(StoreError) -> [String]
    /// Files key shares in `channel`, replacing one with the same sender, recipient and key id, and
    /// keeping the newest ``ChannelKeyShare/keptPerPair`` per sender and recipient.
    func storeChannelKeys(_ shares: [ChannelKeyShare], channel: String, nowMs: Int64) async throws(StoreError)
    /// The shares addressed to `recipient` (`user/machine`) in `channel`, oldest first.
    func channelKeys(channel: String, recipient: String) async throws(StoreError) -> [ChannelKeyShare]
}

extension ConclaveStore {
    /// Appends one message (a transaction of its own) and returns its row id.
    @discardableResult
    public func appendMessage(channel: String, sender: String, payload: [UInt8], tsMs: Int64) async throws(StoreError) -> AppendedMessage? {
        try await appendMessages([NewMessage(channel: channel, sender: sender, payload: payload, tsMs: tsMs)]).first ?? nil
    }
}
