public import ConclaveProtocol
public import ConclaveStorage
import ConclaveIdentity
import Foundation
import GRDB

/// ``ConclaveStore`` on SQLite through GRDB.
///
/// A data directory gets a WAL-mode database (`conclave.sqlite`); `inMemory()` is for
/// `--ephemeral` and tests. Channels have a stable integer id that memberships, bans, invites and
/// history reference with `ON DELETE CASCADE`, so a rename touches one row and a delete removes
/// everything attached, in one statement. Every method runs in one transaction.
public final class SQLiteStore: ConclaveStore {
    private let database: any DatabaseWriter

    /// Opens (creating if needed) the database file at `path` and migrates it.
    public convenience init(path: String) throws(StoreOpenError) {
        let pool: DatabasePool
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .failed("could not open `\(path)`: \(error)")
        }
        try self.init(writer: pool)
    }

    /// A store that lives only in memory.
    public static func inMemory() throws(StoreOpenError) -> SQLiteStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
        } catch {
            throw .failed("could not create an in-memory database: \(error)")
        }
        return try SQLiteStore(writer: queue)
    }

    private init(writer: any DatabaseWriter) throws(StoreOpenError) {
        database = writer
        let applied: Set<String>
        do {
            applied = try writer.read { db in try Self.migrator.appliedIdentifiers(db) }
        } catch {
            throw .failed("could not read the database's schema version: \(error)")
        }
        // A migration this binary does not know was applied by a newer one: refuse rather than
        // write rows in a shape that binary no longer expects.
        guard applied.isSubset(of: Self.knownMigrations) else {
            throw .schemaTooNew(found: applied.count, supported: Self.knownMigrations.count)
        }
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw .failed("could not migrate the database: \(error)")
        }
    }

    /// Versioned schema. Append migrations; never edit a released one.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE users (username TEXT PRIMARY KEY, created_at TEXT NOT NULL);
                CREATE TABLE machines (
                    pubkey TEXT PRIMARY KEY,
                    user TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    UNIQUE (user, name));
                CREATE TABLE channels (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    visibility TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE INDEX channels_creator ON channels(created_by);
                CREATE TABLE memberships (
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    user TEXT NOT NULL,
                    PRIMARY KEY (channel_id, user));
                CREATE INDEX memberships_user ON memberships(user);
                CREATE TABLE bans (
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    user TEXT NOT NULL,
                    PRIMARY KEY (channel_id, user));
                CREATE TABLE invites (
                    token TEXT PRIMARY KEY,
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    uses_remaining INTEGER,
                    expires_at_ms INTEGER,
                    created_by TEXT NOT NULL);
                CREATE INDEX invites_channel ON invites(channel_id);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    sender TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    ts_ms INTEGER NOT NULL);
                CREATE INDEX messages_channel_ts ON messages(channel_id, ts_ms, id);
                CREATE INDEX messages_ts ON messages(ts_ms);
                """)
        }
        // Whether the key's holder enrolled it by registering (proving possession), or another
        // account enrolled it with `MachineAdd`, which proves nothing: the holder's own
        // registration takes such a key back. Machines from before this are treated as proven.
        migrator.registerMigration("v2-machine-proof") { db in
            try db.execute(sql: "ALTER TABLE machines ADD COLUMN proven INTEGER NOT NULL DEFAULT 1")
        }
        // Each username's confusable skeleton, so a look-alike of an existing name is refused
        // inside the registration transaction. Existing names get theirs here.
        migrator.registerMigration("v3-username-skeleton") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN skeleton TEXT NOT NULL DEFAULT ''")
            for username in try String.fetchAll(db, sql: "SELECT username FROM users") {
                try db.execute(sql: "UPDATE users SET skeleton = ? WHERE username = ?", arguments: [ConfusableSkeleton.of(username), username])
            }
            try db.execute(sql: "CREATE INDEX users_skeleton ON users(skeleton)")
        }
        // Each channel numbers its messages (see `ConclaveStore`): existing messages keep their
        // row ids as numbers, which already increase within a channel.
        migrator.registerMigration("v4-message-numbers") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
                UPDATE messages SET seq = id;
                ALTER TABLE channels ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE channels ADD COLUMN last_ts INTEGER NOT NULL DEFAULT 0;
                UPDATE channels SET
                    last_seq = COALESCE((SELECT MAX(seq) FROM messages WHERE channel_id = channels.id), 0),
                    last_ts = COALESCE((SELECT MAX(ts_ms) FROM messages WHERE channel_id = channels.id), 0);
                CREATE INDEX messages_channel_seq ON messages(channel_id, seq);
                """)
        }
        // The sender's signature (the `signatures` extension), kept as it arrived so history
        // carries it; NULL for unsigned posts, including every post from before.
        migrator.registerMigration("v5-message-signatures") { db in
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN signature BLOB")
        }
        // End-to-end encrypted channels: each machine's X25519 announcement, the channel flag,
        // and the sealed channel keys members share (opaque here).
        migrator.registerMigration("v6-end-to-end") { db in
            try db.execute(sql: """
                ALTER TABLE machines ADD COLUMN agreement BLOB;
                ALTER TABLE channels ADD COLUMN encrypted INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE channel_keys (
                    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                    recipient TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    key_id BLOB NOT NULL,
                    share BLOB NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (channel_id, recipient, sender, key_id));
                """)
        }
        return migrator
    }

    /// The newest migration this binary knows; a database that lists one it does not know was
    /// written by a newer binary.
    private static let knownMigrations: Set<String> = [
        "v1", "v2-machine-proof", "v3-username-skeleton", "v4-message-numbers", "v5-message-signatures", "v6-end-to-end",
    ]

    private func write<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await database.write(body)
        } catch {
            throw StoreError("\(operation): \(error)")
        }
    }

    private func read<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw StoreError("\(operation): \(error)")
        }
    }

    private static func channelID(_ db: Database, _ name: String) throws -> Int64? {
        // Cached: this runs for every post and history read, so it is parsed once per connection.
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM channels WHERE name = ?"), arguments: [name])
    }

    // MARK: Meta

    public func instanceID() async throws(StoreError) -> String {
        let fresh = try InstanceID.fresh()
        return try await write("instance id") { db in
            // INSERT OR IGNORE makes first-boot creation race-free: a loser re-reads the winner's ID.
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)", arguments: [fresh])
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instance_id'") ?? fresh
        }
    }

    // MARK: Accounts and machines

    public func register(username: String, machine: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> RegistrationOutcome {
        try await write("register") { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)", arguments: [username]) == true {
                return .usernameTaken
            }
            let skeleton = ConfusableSkeleton.of(username)
            if let existing = try String.fetchOne(db, sql: "SELECT username FROM users WHERE skeleton = ? LIMIT 1", arguments: [skeleton]) {
                return .usernameConfusable(with: existing)
            }
            var reclaimed: MachineRecord?
            let enrolled = MachineRow.filter(MachineRow.Columns.pubkey == pubkey)
            if let existing = try enrolled.fetchOne(db) {
                guard !existing.proven else { return .keyAlreadyEnrolled }
                // Enrolled by someone else without proof; its holder has just proved it.
                reclaimed = existing.record
                try enrolled.deleteAll(db)
            }
            let now = RFC3339Milliseconds.text(ms: nowMs)
            try db.execute(sql: "INSERT INTO users (username, created_at, skeleton) VALUES (?, ?, ?)", arguments: [username, now, skeleton])
            try db.execute(
                sql: "INSERT INTO machines (pubkey, user, name, added_at, proven) VALUES (?, ?, ?, ?, 1)",
                arguments: [pubkey, username, machine, now])
            return reclaimed.map { .registeredReclaimingKey(from: $0) } ?? .registered
        }
    }

    public func machine(forKey pubkey: String) async throws(StoreError) -> MachineRecord? {
        try await read("machine lookup") { db in
            try MachineRow.filter(MachineRow.Columns.pubkey == pubkey).fetchOne(db)?.record
        }
    }

    public func addMachine(user: String, name: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> MachineAddOutcome {
        try await write("add machine") { db in
            if try !MachineRow.filter(MachineRow.Columns.pubkey == pubkey).isEmpty(db) {
                return .keyAlreadyEnrolled
            }
            if try !MachineRow.filter(MachineRow.Columns.user == user && MachineRow.Columns.name == name).isEmpty(db) {
                return .nameTaken
            }
            try db.execute(
                sql: "INSERT INTO machines (pubkey, user, name, added_at, proven) VALUES (?, ?, ?, ?, 0)",
                arguments: [pubkey, user, name, RFC3339Milliseconds.text(ms: nowMs)])
            return .added
        }
    }

    public func removeMachine(user: String, name: String) async throws(StoreError) -> Bool {
        try await write("remove machine") { db in
            try MachineRow.filter(MachineRow.Columns.user == user && MachineRow.Columns.name == name).deleteAll(db) > 0
        }
    }

    public func machines(of user: String) async throws(StoreError) -> [MachineRecord] {
        try await read("list machines") { db in
            try MachineRow.filter(MachineRow.Columns.user == user).order(MachineRow.Columns.addedAt, MachineRow.Columns.name)
                .fetchAll(db).map(\.record)
        }
    }

    public func userExists(_ username: String) async throws(StoreError) -> Bool {
        try await read("user lookup") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?)", arguments: [username]) ?? false
        }
    }

    public func usernames() async throws(StoreError) -> [String] {
        try await read("list users") { db in
            try String.fetchAll(db, sql: "SELECT username FROM users ORDER BY username")
        }
    }

    public func removeUser(_ username: String) async throws(StoreError) -> [String] {
        try await write("remove user") { db in
            let created = try String.fetchAll(db, sql: "SELECT name FROM channels WHERE created_by = ?", arguments: [username])
            try db.execute(sql: "DELETE FROM channels WHERE created_by = ?", arguments: [username])
            try db.execute(sql: "DELETE FROM memberships WHERE user = ?", arguments: [username])
            // Unlike the reference (G18), a re-registered name inherits no bans and no invites.
            try db.execute(sql: "DELETE FROM bans WHERE user = ?", arguments: [username])
            try db.execute(sql: "DELETE FROM invites WHERE created_by = ?", arguments: [username])
            try db.execute(sql: "DELETE FROM users WHERE username = ?", arguments: [username])
            return created
        }
    }

    // MARK: Channels

    public func createChannel(name: String, visibility: Visibility, creator: String, nowMs: Int64) async throws(StoreError) -> ChannelNameOutcome {
        try await write("create channel") { db in
            if try Self.channelID(db, name) != nil { return .nameTaken }
            try db.execute(
                sql: "INSERT INTO channels (name, visibility, created_by, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, visibility.token, creator, RFC3339Milliseconds.text(ms: nowMs)])
            try db.execute(
                sql: "INSERT INTO memberships (channel_id, user) VALUES (?, ?)",
                arguments: [db.lastInsertedRowID, creator])
            return .done
        }
    }

    public func channel(named name: String) async throws(StoreError) -> ChannelRecord? {
        try await read("channel lookup") { db in
            try ChannelRow.filter(ChannelRow.Columns.name == name).fetchOne(db)?.record
        }
    }

    public func channels() async throws(StoreError) -> [ChannelRecord] {
        try await read("list channels") { db in
            try ChannelRow.order(ChannelRow.Columns.name).fetchAll(db).compactMap(\.record)
        }
    }

    public func latestTimestamps() async throws(StoreError) -> [String: Int64] {
        try await read("latest timestamps") { db in
            var latest: [String: Int64] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT c.name AS name, MAX(m.ts_ms) AS ts FROM messages m JOIN channels c ON c.id = m.channel_id GROUP BY c.id")
            for row in rows { latest[row["name"]] = row["ts"] }
            return latest
        }
    }

    public func channelCounts(createdBy user: String) async throws(StoreError) -> ChannelCounts {
        try await read("count channels") { db in
            ChannelCounts(
                total: try ChannelRow.fetchCount(db),
                byUser: try ChannelRow.filter(ChannelRow.Columns.createdBy == user).fetchCount(db))
        }
    }

    public func channelSequences() async throws(StoreError) -> [ChannelSequence] {
        try await read("channel numbers") { db in
            try ChannelRow.order(ChannelRow.Columns.id).fetchAll(db).map(\.sequence)
        }
    }

    public func deleteChannel(named name: String) async throws(StoreError) -> Bool {
        try await write("delete channel") { db in
            try db.execute(sql: "DELETE FROM channels WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func renameChannel(from name: String, to newName: String) async throws(StoreError) -> ChannelNameOutcome {
        try await write("rename channel") { db in
            guard let id = try Self.channelID(db, name) else { return .notFound }
            if name == newName { return .done }
            if try Self.channelID(db, newName) != nil { return .nameTaken }
            try db.execute(sql: "UPDATE channels SET name = ? WHERE id = ?", arguments: [newName, id])
            return .done
        }
    }

    public func setVisibility(of name: String, to visibility: Visibility) async throws(StoreError) {
        try await write("set visibility") { db in
            try db.execute(sql: "UPDATE channels SET visibility = ? WHERE name = ?", arguments: [visibility.token, name])
        }
    }

    // MARK: ACL and bans

    public func addMember(channel: String, user: String) async throws(StoreError) {
        try await write("add member") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            try db.execute(sql: "INSERT OR IGNORE INTO memberships (channel_id, user) VALUES (?, ?)", arguments: [id, user])
            try db.execute(sql: "DELETE FROM bans WHERE channel_id = ? AND user = ?", arguments: [id, user])
        }
    }

    public func removeMember(channel: String, user: String) async throws(StoreError) {
        try await write("remove member") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            try db.execute(sql: "DELETE FROM memberships WHERE channel_id = ? AND user = ?", arguments: [id, user])
        }
    }

    public func members(of channel: String) async throws(StoreError) -> [String] {
        try await read("list members") { db in
            try String.fetchAll(
                db, sql: "SELECT m.user FROM memberships m JOIN channels c ON c.id = m.channel_id WHERE c.name = ? ORDER BY m.user",
                arguments: [channel])
        }
    }

    public func memberships(of user: String) async throws(StoreError) -> Set<String> {
        try await read("list memberships") { db in
            Set(try String.fetchAll(
                db, sql: "SELECT c.name FROM memberships m JOIN channels c ON c.id = m.channel_id WHERE m.user = ?",
                arguments: [user]))
        }
    }

    public func ban(channel: String, user: String) async throws(StoreError) {
        try await write("ban") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            try db.execute(sql: "DELETE FROM memberships WHERE channel_id = ? AND user = ?", arguments: [id, user])
            try db.execute(sql: "INSERT OR IGNORE INTO bans (channel_id, user) VALUES (?, ?)", arguments: [id, user])
        }
    }

    public func unban(channel: String, user: String) async throws(StoreError) {
        try await write("unban") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            try db.execute(sql: "DELETE FROM bans WHERE channel_id = ? AND user = ?", arguments: [id, user])
        }
    }

    public func allBans() async throws(StoreError) -> [BanRecord] {
        try await read("list bans") { db in
            try Row.fetchAll(db, sql: "SELECT c.name AS channel, b.user AS user FROM bans b JOIN channels c ON c.id = b.channel_id")
                .map { BanRecord(channel: $0["channel"], user: $0["user"]) }
        }
    }

    // MARK: Invites

    public func createInvite(token: String, channel: String, uses: Int64?, expiresAtMs: Int64?, creator: String) async throws(StoreError) {
        try await write("create invite") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            try db.execute(
                sql: "INSERT INTO invites (token, channel_id, uses_remaining, expires_at_ms, created_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [token, id, uses, expiresAtMs, creator])
        }
    }

    public func redeemInvite(token: String, channel: String, user: String, nowMs: Int64) async throws(StoreError) -> RedemptionOutcome {
        try await write("redeem invite") { db in
            let invite = InviteRow.filter(InviteRow.Columns.token == token)
            guard let id = try Self.channelID(db, channel), let found = try invite.fetchOne(db), found.channelID == id else { return .refused }
            if let expiry = found.record.expiresAtMs, expiry <= nowMs {
                try invite.deleteAll(db)
                return .refused
            }
            // A banned user spends nothing (the reference consumed the use first, G22).
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM bans WHERE channel_id = ? AND user = ?)", arguments: [id, user]) == true {
                return .refused
            }
            if let remaining = found.record.usesRemaining {
                guard remaining > 0 else { return .refused }
                if remaining == 1 {
                    try invite.deleteAll(db)
                } else {
                    try invite.updateAll(db, InviteRow.Columns.usesRemaining -= 1)
                }
            }
            try db.execute(sql: "INSERT OR IGNORE INTO memberships (channel_id, user) VALUES (?, ?)", arguments: [id, user])
            return .admitted
        }
    }

    public func inviteChannel(token: String) async throws(StoreError) -> String? {
        try await read("invite lookup") { db in
            try String.fetchOne(
                db, sql: "SELECT c.name FROM invites i JOIN channels c ON c.id = i.channel_id WHERE i.token = ?", arguments: [token])
        }
    }

    public func deleteInvite(token: String) async throws(StoreError) {
        try await write("delete invite") { db in
            try InviteRow.filter(InviteRow.Columns.token == token).deleteAll(db)
        }
    }

    public func invites(of channel: String) async throws(StoreError) -> [InviteRecord] {
        try await read("list invites") { db in
            guard let id = try Self.channelID(db, channel) else { return [] }
            return try InviteRow.filter(InviteRow.Columns.channelID == id).order(Column.rowID).fetchAll(db).map(\.record)
        }
    }

    // MARK: History

    @discardableResult
    public func appendMessages(_ messages: [NewMessage]) async throws(StoreError) -> [AppendedMessage?] {
        guard !messages.isEmpty else { return [] }
        return try await write("append messages") { db in
            // The hot path of every post: prepared statements, parsed once per connection, and
            // one transaction (one WAL commit) for the whole batch. Numbers are counted here and
            // each channel's counter is written once per batch.
            let insert = try db.cachedStatement(
                sql: "INSERT INTO messages (channel_id, sender, payload, ts_ms, seq, signature) VALUES (?, ?, ?, ?, ?, ?)")
            var channels: [String: (id: Int64, seq: Int64, ts: Int64)?] = [:]
            var appended: [AppendedMessage?] = []
            appended.reserveCapacity(messages.count)
            for message in messages {
                if channels[message.channel] == nil {
                    let row = try Row.fetchOne(
                        db.cachedStatement(sql: "SELECT id, last_seq, last_ts FROM channels WHERE name = ?"), arguments: [message.channel])
                    channels[message.channel] = row.map {
                        (id: $0[ChannelRow.Columns.id] as Int64, seq: $0[ChannelRow.Columns.lastSeq] as Int64, ts: $0[ChannelRow.Columns.lastTs] as Int64)
                    }
                }
                guard let channel = channels[message.channel] ?? nil else {
                    appended.append(nil)
                    continue
                }
                let seq = channel.seq + 1
                let ts = max(message.tsMs, channel.ts &+ 1)
                channels[message.channel] = (channel.id, seq, ts)
                try insert.execute(arguments: [channel.id, message.sender, Data(message.payload), ts, seq, message.signature.map { Data($0) }])
                appended.append(AppendedMessage(channelID: channel.id, seq: seq, tsMs: ts))
            }
            let update = try db.cachedStatement(sql: "UPDATE channels SET last_seq = ?, last_ts = ? WHERE id = ?")
            for case let (_, channel?) in channels {
                try update.execute(arguments: [channel.seq, channel.ts, channel.id])
            }
            return appended
        }
    }

    public func trimHistory(of channel: String, keeping count: Int) async throws(StoreError) -> Int {
        try await write("trim history") { db in
            guard let id = try Self.channelID(db, channel) else { return 0 }
            // History order is (ts_ms, id); the index on (channel_id, ts_ms, id) serves both the
            // boundary lookup and the delete.
            try db.execute(
                sql: """
                    DELETE FROM messages WHERE channel_id = ?1 AND (ts_ms, id) < (
                        SELECT ts_ms, id FROM messages WHERE channel_id = ?1 ORDER BY ts_ms DESC, id DESC LIMIT 1 OFFSET ?2)
                    """,
                arguments: [id, max(0, count - 1)])
            return db.changesCount
        }
    }

    public func messages(in channel: String, after sinceMs: Int64, limit: Int) async throws(StoreError) -> [StoredMessage] {
        try await read("read history") { db in
            try MessageRow.fetchAll(
                db.cachedStatement(sql: """
                    SELECT m.id, m.seq, m.sender, m.payload, m.ts_ms, m.signature FROM messages m JOIN channels c ON c.id = m.channel_id
                    WHERE c.name = ? AND m.ts_ms > ? ORDER BY m.ts_ms, m.id LIMIT ?
                    """),
                arguments: [channel, sinceMs, limit]
            ).map(\.message)
        }
    }

    public func messages(inChannelID channelID: Int64, afterSeq: Int64, limit: Int) async throws(StoreError) -> [StoredMessage] {
        try await read("read by number") { db in
            try MessageRow.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, seq, sender, payload, ts_ms, signature FROM messages WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?
                    """),
                arguments: [channelID, afterSeq, limit]
            ).map(\.message)
        }
    }

    public func purge(messagesBefore cutoffMs: Int64, invitesExpiredBefore nowMs: Int64) async throws(StoreError) -> PurgeCounts {
        try await write("purge") { db in
            PurgeCounts(
                messages: try MessageRow.filter(MessageRow.Columns.tsMs < cutoffMs).deleteAll(db),
                invites: try InviteRow.filter(InviteRow.Columns.expiresAtMs != nil && InviteRow.Columns.expiresAtMs <= nowMs).deleteAll(db))
        }
    }

    // MARK: End-to-end encryption

    public func setAgreement(user: String, machine: String, announcement: [UInt8]) async throws(StoreError) -> Bool {
        try await write("record a key announcement") { db in
            try db.execute(
                sql: "UPDATE machines SET agreement = ? WHERE user = ? AND name = ?", arguments: [Data(announcement), user, machine])
            return db.changesCount > 0
        }
    }

    public func agreements(of users: [String]) async throws(StoreError) -> [String: [UInt8]] {
        try await read("read key announcements") { db in
            var result: [String: [UInt8]] = [:]
            for user in Set(users) {
                let rows = try MachineRow.select(MachineRow.Columns.name, MachineRow.Columns.agreement)
                    .filter(MachineRow.Columns.user == user && MachineRow.Columns.agreement != nil).asRequest(of: Row.self).fetchAll(db)
                for row in rows {
                    let name: String = row[MachineRow.Columns.name]
                    result[user + "/" + name] = [UInt8](row[MachineRow.Columns.agreement] as Data)
                }
            }
            return result
        }
    }

    public func markEncrypted(channel: String) async throws(StoreError) -> Bool {
        try await write("mark a channel encrypted") { db in
            try db.execute(sql: "UPDATE channels SET encrypted = 1 WHERE name = ?", arguments: [channel])
            return db.changesCount > 0
        }
    }

    public func encryptedChannels() async throws(StoreError) -> [String] {
        try await read("list encrypted channels") { db in
            try String.fetchAll(db, sql: "SELECT name FROM channels WHERE encrypted = 1 ORDER BY name")
        }
    }

    public func storeChannelKeys(_ shares: [ChannelKeyShare], channel: String, nowMs: Int64) async throws(StoreError) {
        guard !shares.isEmpty else { return }
        let kept = ChannelKeyShare.keptPerPair
        try await write("store channel keys") { db in
            guard let id = try Self.channelID(db, channel) else { return }
            for share in shares {
                try db.execute(
                    sql: """
                        INSERT INTO channel_keys (channel_id, recipient, sender, key_id, share, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (channel_id, recipient, sender, key_id) DO UPDATE SET share = excluded.share, created_at_ms = excluded.created_at_ms
                        """,
                    arguments: [id, share.recipient, share.sender, Data(share.keyID), Data(share.share), nowMs])
                try db.execute(
                    sql: """
                        DELETE FROM channel_keys WHERE channel_id = ?1 AND recipient = ?2 AND sender = ?3 AND key_id NOT IN (
                            SELECT key_id FROM channel_keys WHERE channel_id = ?1 AND recipient = ?2 AND sender = ?3
                            ORDER BY created_at_ms DESC, rowid DESC LIMIT ?4)
                        """,
                    arguments: [id, share.recipient, share.sender, kept])
            }
        }
    }

    public func channelKeys(channel: String, recipient: String) async throws(StoreError) -> [ChannelKeyShare] {
        try await read("read channel keys") { db in
            guard let id = try Self.channelID(db, channel) else { return [] }
            return try ChannelKeyRow
                .filter(ChannelKeyRow.Columns.channelID == id && ChannelKeyRow.Columns.recipient == recipient)
                .order(ChannelKeyRow.Columns.createdAtMs, Column.rowID)
                .fetchAll(db).map(\.share)
        }
    }
}
