public import ConclaveProtocol
public import ConclaveStorage
import ConclaveIdentity
import Foundation
import Logging
import PostgresNIO

/// ``ConclaveStore`` on PostgreSQL, shared by every instance of a cluster.
///
/// Channels have a stable id that memberships, bans, invites, history and subscriptions reference
/// with `ON DELETE CASCADE`, as in SQLite. Appending takes each channel's row lock to number its
/// messages, so numbers follow commit order, and the appending transaction notifies the other
/// instances (`pg_notify`), so a notification is sent exactly when its message is committed.
public final class PostgresStore: ConclaveStore {
    let client: PostgresClient
    /// This instance's id in the cluster (the origin of its notifications).
    let nodeID: String
    let logger: Logger

    init(client: PostgresClient, nodeID: String, logger: Logger) {
        self.client = client
        self.nodeID = nodeID
        self.logger = logger
    }

    // MARK: Running queries

    /// Runs `body` on a pooled connection; any failure becomes a ``StoreError`` naming `operation`.
    func withConnection<T: Sendable>(
        _ operation: String, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw StoreError("\(operation): \(Self.describe(error))")
        }
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(
        _ operation: String, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        let logger = logger
        return try await withConnection(operation) { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Runs one statement on a pooled connection.
    func execute(_ operation: String, _ query: PostgresQuery) async throws(StoreError) {
        let logger = logger
        try await withConnection(operation) { connection in
            try await connection.query(query, logger: logger)
        }
    }

    /// Runs one query and returns its one column.
    func column<T: PostgresDecodable & Sendable>(_ operation: String, _ query: PostgresQuery, as type: T.Type) async throws(StoreError) -> [T] {
        let logger = logger
        return try await withConnection(operation) { connection in
            try await Self.rows(connection.query(query, logger: logger), as: T.self)
        }
    }

    /// The server's own words, never the query's bind values (they may hold message bodies).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            return describe(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        guard let error = error as? PSQLError else { return "\(type(of: error))" }
        var text = "\(error.code)"
        if let state = error.serverInfo?[.sqlState] { text += " [\(state)]" }
        if let message = error.serverInfo?[.message] { text += " \(message)" }
        return text
    }

    static func rows<T: Sendable>(_ sequence: PostgresRowSequence, as type: T.Type) async throws -> [T] where T: PostgresDecodable {
        var result: [T] = []
        for try await value in sequence.decode(T.self) { result.append(value) }
        return result
    }

    // MARK: Meta

    public func instanceID() async throws(StoreError) -> String {
        let fresh = try InstanceID.fresh()
        let logger = logger
        return try await withConnection("instance id") { connection in
            // ON CONFLICT makes concurrent first boots agree: every instance reads the winner's ID.
            try await connection.query(
                "INSERT INTO meta (key, value) VALUES ('instance_id', \(fresh)) ON CONFLICT (key) DO NOTHING", logger: logger)
            let ids = try await Self.rows(
                try await connection.query("SELECT value FROM meta WHERE key = 'instance_id'", logger: logger), as: String.self)
            return ids.first ?? fresh
        }
    }

    // MARK: Accounts and machines

    public func register(username: String, machine: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> RegistrationOutcome {
        let logger = logger
        let skeleton = ConfusableSkeleton.of(username)
        return try await transaction("register") { connection in
            // One registration at a time: the name and skeleton checks must see each other.
            try await connection.query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE", logger: logger)
            if try await !Self.rows(connection.query("SELECT username FROM users WHERE username = \(username)", logger: logger), as: String.self).isEmpty {
                return .usernameTaken
            }
            if let existing = try await Self.rows(
                connection.query("SELECT username FROM users WHERE skeleton = \(skeleton) LIMIT 1", logger: logger), as: String.self
            ).first {
                return .usernameConfusable(with: existing)
            }
            var reclaimed: MachineRecord?
            for try await (user, name, key, added, proven) in try await connection.query(
                "SELECT username, name, pubkey, added_at_ms, proven FROM machines WHERE pubkey = \(pubkey) FOR UPDATE", logger: logger
            ).decode((String, String, String, Int64, Bool).self) {
                guard !proven else { return .keyAlreadyEnrolled }
                reclaimed = MachineRecord(user: user, name: name, pubkey: key, addedAtMs: added)
            }
            if reclaimed != nil {
                try await connection.query("DELETE FROM machines WHERE pubkey = \(pubkey)", logger: logger)
            }
            try await connection.query(
                "INSERT INTO users (username, created_at_ms, skeleton) VALUES (\(username), \(nowMs), \(skeleton))", logger: logger)
            try await connection.query(
                "INSERT INTO machines (pubkey, username, name, added_at_ms, proven) VALUES (\(pubkey), \(username), \(machine), \(nowMs), TRUE)",
                logger: logger)
            return reclaimed.map { .registeredReclaimingKey(from: $0) } ?? .registered
        }
    }

    public func machine(forKey pubkey: String) async throws(StoreError) -> MachineRecord? {
        try await machines(where: "machine lookup", pubkey, byKey: true).first
    }

    private func machines(where operation: String, _ value: String, byKey: Bool) async throws(StoreError) -> [MachineRecord] {
        let logger = logger
        return try await withConnection(operation) { connection in
            let query: PostgresQuery = byKey
                ? "SELECT username, name, pubkey, added_at_ms FROM machines WHERE pubkey = \(value)"
                : "SELECT username, name, pubkey, added_at_ms FROM machines WHERE username = \(value) ORDER BY added_at_ms, name"
            var result: [MachineRecord] = []
            for try await (user, name, key, added) in try await connection.query(query, logger: logger).decode((String, String, String, Int64).self) {
                result.append(MachineRecord(user: user, name: name, pubkey: key, addedAtMs: added))
            }
            return result
        }
    }

    public func addMachine(user: String, name: String, pubkey: String, nowMs: Int64) async throws(StoreError) -> MachineAddOutcome {
        let logger = logger
        return try await transaction("add machine") { connection in
            if try await !Self.rows(connection.query("SELECT pubkey FROM machines WHERE pubkey = \(pubkey)", logger: logger), as: String.self).isEmpty {
                return .keyAlreadyEnrolled
            }
            if try await !Self.rows(
                connection.query("SELECT pubkey FROM machines WHERE username = \(user) AND name = \(name)", logger: logger), as: String.self
            ).isEmpty {
                return .nameTaken
            }
            try await connection.query(
                "INSERT INTO machines (pubkey, username, name, added_at_ms, proven) VALUES (\(pubkey), \(user), \(name), \(nowMs), FALSE)",
                logger: logger)
            return .added
        }
    }

    public func removeMachine(user: String, name: String) async throws(StoreError) -> Bool {
        try await !column(
            "remove machine", "DELETE FROM machines WHERE username = \(user) AND name = \(name) RETURNING pubkey", as: String.self
        ).isEmpty
    }

    public func machines(of user: String) async throws(StoreError) -> [MachineRecord] {
        try await machines(where: "list machines", user, byKey: false)
    }

    public func userExists(_ username: String) async throws(StoreError) -> Bool {
        try await !column("user lookup", "SELECT username FROM users WHERE username = \(username)", as: String.self).isEmpty
    }

    public func usernames() async throws(StoreError) -> [String] {
        try await column("list users", "SELECT username FROM users ORDER BY username", as: String.self)
    }

    public func removeUser(_ username: String) async throws(StoreError) -> [String] {
        let logger = logger
        return try await transaction("remove user") { connection in
            let created = try await Self.rows(
                connection.query("DELETE FROM channels WHERE created_by = \(username) RETURNING name", logger: logger), as: String.self)
            try await connection.query("DELETE FROM memberships WHERE username = \(username)", logger: logger)
            // A re-registered name inherits no bans and no invites.
            try await connection.query("DELETE FROM bans WHERE username = \(username)", logger: logger)
            try await connection.query("DELETE FROM invites WHERE created_by = \(username)", logger: logger)
            try await connection.query("DELETE FROM users WHERE username = \(username)", logger: logger)
            return created.sorted()
        }
    }

    // MARK: Channels

    public func createChannel(name: String, visibility: Visibility, creator: String, nowMs: Int64) async throws(StoreError) -> ChannelNameOutcome {
        let logger = logger
        let tier = visibility.token
        return try await transaction("create channel") { connection in
            let ids = try await Self.rows(
                connection.query(
                    """
                    INSERT INTO channels (name, visibility, created_by, created_at_ms) VALUES (\(name), \(tier), \(creator), \(nowMs))
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """, logger: logger),
                as: Int64.self)
            guard let id = ids.first else { return .nameTaken }
            try await connection.query("INSERT INTO memberships (channel_id, username) VALUES (\(id), \(creator))", logger: logger)
            return .done
        }
    }

    public func channel(named name: String) async throws(StoreError) -> ChannelRecord? {
        try await channelRecords("channel lookup", named: name).first
    }

    public func channels() async throws(StoreError) -> [ChannelRecord] {
        try await channelRecords("list channels", named: nil)
    }

    private func channelRecords(_ operation: String, named name: String?) async throws(StoreError) -> [ChannelRecord] {
        let logger = logger
        return try await withConnection(operation) { connection in
            let query: PostgresQuery = name.map {
                "SELECT name, visibility, created_by, created_at_ms FROM channels WHERE name = \($0)"
            } ?? "SELECT name, visibility, created_by, created_at_ms FROM channels ORDER BY name"
            var result: [ChannelRecord] = []
            for try await (name, tier, creator, created) in try await connection.query(query, logger: logger).decode((String, String, String, Int64).self) {
                guard let visibility = try? Visibility(token: tier) else { continue }
                result.append(ChannelRecord(name: name, visibility: visibility, createdBy: creator, createdAtMs: created))
            }
            return result
        }
    }

    public func latestTimestamps() async throws(StoreError) -> [String: Int64] {
        let logger = logger
        return try await withConnection("latest timestamps") { connection in
            var latest: [String: Int64] = [:]
            for try await (name, ts) in try await connection.query(
                "SELECT c.name, MAX(m.ts_ms) FROM messages m JOIN channels c ON c.id = m.channel_id GROUP BY c.id, c.name", logger: logger
            ).decode((String, Int64).self) {
                latest[name] = ts
            }
            return latest
        }
    }

    public func channelCounts(createdBy user: String) async throws(StoreError) -> ChannelCounts {
        let logger = logger
        return try await withConnection("count channels") { connection in
            for try await (total, byUser) in try await connection.query(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE created_by = \(user)) FROM channels", logger: logger
            ).decode((Int64, Int64).self) {
                return ChannelCounts(total: Int(total), byUser: Int(byUser))
            }
            return ChannelCounts(total: 0, byUser: 0)
        }
    }

    public func channelSequences() async throws(StoreError) -> [ChannelSequence] {
        let logger = logger
        return try await withConnection("channel numbers") { connection in
            var result: [ChannelSequence] = []
            for try await (id, name, last) in try await connection.query(
                "SELECT id, name, last_seq FROM channels ORDER BY id", logger: logger
            ).decode((Int64, String, Int64).self) {
                result.append(ChannelSequence(channelID: id, name: name, lastSeq: last))
            }
            return result
        }
    }

    public func deleteChannel(named name: String) async throws(StoreError) -> Bool {
        try await !column("delete channel", "DELETE FROM channels WHERE name = \(name) RETURNING id", as: Int64.self).isEmpty
    }

    public func renameChannel(from name: String, to newName: String) async throws(StoreError) -> ChannelNameOutcome {
        let logger = logger
        return try await transaction("rename channel") { connection in
            guard try await !Self.rows(connection.query("SELECT id FROM channels WHERE name = \(name) FOR UPDATE", logger: logger), as: Int64.self).isEmpty
            else { return .notFound }
            if name == newName { return .done }
            if try await !Self.rows(connection.query("SELECT id FROM channels WHERE name = \(newName)", logger: logger), as: Int64.self).isEmpty {
                return .nameTaken
            }
            try await connection.query("UPDATE channels SET name = \(newName) WHERE name = \(name)", logger: logger)
            return .done
        }
    }

    public func setVisibility(of name: String, to visibility: Visibility) async throws(StoreError) {
        let tier = visibility.token
        try await execute("set visibility", "UPDATE channels SET visibility = \(tier) WHERE name = \(name)")
    }

    // MARK: ACL and bans

    public func addMember(channel: String, user: String) async throws(StoreError) {
        let logger = logger
        try await transaction("add member") { connection in
            try await connection.query(
                """
                INSERT INTO memberships (channel_id, username) SELECT id, \(user) FROM channels WHERE name = \(channel)
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query(
                "DELETE FROM bans WHERE username = \(user) AND channel_id = (SELECT id FROM channels WHERE name = \(channel))", logger: logger)
        }
    }

    public func removeMember(channel: String, user: String) async throws(StoreError) {
        try await execute(
            "remove member",
            "DELETE FROM memberships WHERE username = \(user) AND channel_id = (SELECT id FROM channels WHERE name = \(channel))")
    }

    public func members(of channel: String) async throws(StoreError) -> [String] {
        try await column(
            "list members",
            "SELECT m.username FROM memberships m JOIN channels c ON c.id = m.channel_id WHERE c.name = \(channel) ORDER BY m.username",
            as: String.self)
    }

    public func memberships(of user: String) async throws(StoreError) -> Set<String> {
        Set(try await column(
            "list memberships", "SELECT c.name FROM memberships m JOIN channels c ON c.id = m.channel_id WHERE m.username = \(user)",
            as: String.self))
    }

    public func ban(channel: String, user: String) async throws(StoreError) {
        let logger = logger
        try await transaction("ban") { connection in
            try await connection.query(
                "DELETE FROM memberships WHERE username = \(user) AND channel_id = (SELECT id FROM channels WHERE name = \(channel))",
                logger: logger)
            try await connection.query(
                "INSERT INTO bans (channel_id, username) SELECT id, \(user) FROM channels WHERE name = \(channel) ON CONFLICT DO NOTHING",
                logger: logger)
        }
    }

    public func unban(channel: String, user: String) async throws(StoreError) {
        try await execute(
            "unban", "DELETE FROM bans WHERE username = \(user) AND channel_id = (SELECT id FROM channels WHERE name = \(channel))")
    }

    public func allBans() async throws(StoreError) -> [BanRecord] {
        let logger = logger
        return try await withConnection("list bans") { connection in
            var result: [BanRecord] = []
            for try await (channel, user) in try await connection.query(
                "SELECT c.name, b.username FROM bans b JOIN channels c ON c.id = b.channel_id", logger: logger
            ).decode((String, String).self) {
                result.append(BanRecord(channel: channel, user: user))
            }
            return result
        }
    }

    // MARK: Invites

    public func createInvite(token: String, channel: String, uses: Int64?, expiresAtMs: Int64?, creator: String) async throws(StoreError) {
        try await execute(
            "create invite",
            """
            INSERT INTO invites (token, channel_id, uses_remaining, expires_at_ms, created_by)
            SELECT \(token), id, \(uses), \(expiresAtMs), \(creator) FROM channels WHERE name = \(channel)
            """)
    }

    public func redeemInvite(token: String, channel: String, user: String, nowMs: Int64) async throws(StoreError) -> RedemptionOutcome {
        let logger = logger
        return try await transaction("redeem invite") { connection in
            var found: (channelID: Int64, remaining: Int64?, expiry: Int64?)?
            for try await (id, remaining, expiry) in try await connection.query(
                """
                SELECT i.channel_id, i.uses_remaining, i.expires_at_ms FROM invites i JOIN channels c ON c.id = i.channel_id
                WHERE i.token = \(token) AND c.name = \(channel) FOR UPDATE OF i
                """, logger: logger
            ).decode((Int64, Int64?, Int64?).self) {
                found = (id, remaining, expiry)
            }
            guard let found else { return .refused }
            if let expiry = found.expiry, expiry <= nowMs {
                try await connection.query("DELETE FROM invites WHERE token = \(token)", logger: logger)
                return .refused
            }
            // A banned user spends nothing.
            if try await !Self.rows(
                connection.query("SELECT username FROM bans WHERE channel_id = \(found.channelID) AND username = \(user)", logger: logger),
                as: String.self
            ).isEmpty {
                return .refused
            }
            if let remaining = found.remaining {
                guard remaining > 0 else { return .refused }
                if remaining == 1 {
                    try await connection.query("DELETE FROM invites WHERE token = \(token)", logger: logger)
                } else {
                    try await connection.query("UPDATE invites SET uses_remaining = uses_remaining - 1 WHERE token = \(token)", logger: logger)
                }
            }
            try await connection.query(
                "INSERT INTO memberships (channel_id, username) VALUES (\(found.channelID), \(user)) ON CONFLICT DO NOTHING", logger: logger)
            return .admitted
        }
    }

    public func inviteChannel(token: String) async throws(StoreError) -> String? {
        try await column(
            "invite lookup", "SELECT c.name FROM invites i JOIN channels c ON c.id = i.channel_id WHERE i.token = \(token)", as: String.self
        ).first
    }

    public func deleteInvite(token: String) async throws(StoreError) {
        try await execute("delete invite", "DELETE FROM invites WHERE token = \(token)")
    }

    public func invites(of channel: String) async throws(StoreError) -> [InviteRecord] {
        let logger = logger
        return try await withConnection("list invites") { connection in
            var result: [InviteRecord] = []
            for try await (token, remaining, expiry, creator) in try await connection.query(
                """
                SELECT i.token, i.uses_remaining, i.expires_at_ms, i.created_by FROM invites i JOIN channels c ON c.id = i.channel_id
                WHERE c.name = \(channel) ORDER BY i.created_order
                """, logger: logger
            ).decode((String, Int64?, Int64?, String).self) {
                result.append(InviteRecord(token: token, usesRemaining: remaining, expiresAtMs: expiry, createdBy: creator))
            }
            return result
        }
    }

    // MARK: History

    @discardableResult
    public func appendMessages(_ messages: [NewMessage]) async throws(StoreError) -> [AppendedMessage?] {
        guard !messages.isEmpty else { return [] }
        let logger = logger
        let channels = messages.map(\.channel)
        let senders = messages.map(\.sender)
        let payloads = messages.map { ByteBuffer(bytes: $0.payload) }
        let stamps = messages.map(\.tsMs)
        let receipts = messages.map { Int64(bitPattern: $0.receiptID) }
        // Arrays of optionals have no PostgreSQL encoding here: an empty value stands for none
        // and the statement turns it into NULL.
        let signatures = messages.map { ByteBuffer(bytes: $0.signature ?? []) }
        let query = Self.appendQuery(
            channels: channels, senders: senders, payloads: payloads, stamps: stamps, receipts: receipts, signatures: signatures,
            origin: nodeID)
        // One statement, so one round trip and its own transaction: the channel rows it locks (and
        // so the numbers it takes) stay locked until it commits, and its notifications are sent
        // exactly when it commits.
        let rows = try await withConnection("append messages") { connection in
            var rows: [Int: AppendedMessage] = [:]
            for try await (position, channelID, seq, ts) in try await connection.query(query, logger: logger)
                .decode((Int64, Int64, Int64, Int64).self) {
                rows[Int(position)] = AppendedMessage(channelID: channelID, seq: seq, tsMs: ts)
            }
            return rows
        }
        return (1...messages.count).map { rows[$0] }
    }

    /// The statement that appends a batch: lock the channels' rows (re-reading them once locked),
    /// number each message after its channel's newest, raise stamps so they increase with the
    /// numbers (stamp k = k + max(newest stamp, max over j ≤ k of (requested j − j))), insert,
    /// move each channel's counters, and notify the other instances, in batch order.
    static func appendQuery(
        channels: [String], senders: [String], payloads: [ByteBuffer], stamps: [Int64], receipts: [Int64], signatures: [ByteBuffer],
        origin: String
    ) -> PostgresQuery {
        """
        WITH input AS (
            SELECT * FROM unnest(
                \(channels)::TEXT[], \(senders)::TEXT[], \(payloads)::BYTEA[], \(stamps)::BIGINT[], \(receipts)::BIGINT[],
                \(signatures)::BYTEA[])
                WITH ORDINALITY AS i(channel, sender, payload, requested, receipt, signature, position)),
        locked AS (
            SELECT id, name, last_seq, last_ts FROM channels WHERE name IN (SELECT channel FROM input) ORDER BY id FOR UPDATE),
        ranked AS (
            SELECT i.*, l.id AS channel_id, l.last_seq, l.last_ts,
                   ROW_NUMBER() OVER (PARTITION BY i.channel ORDER BY i.position) AS k
            FROM input i JOIN locked l ON l.name = i.channel),
        numbered AS (
            SELECT r.*, r.last_seq + r.k AS seq,
                   r.k + GREATEST(r.last_ts, MAX(r.requested - r.k) OVER (
                       PARTITION BY r.channel ORDER BY r.position ROWS UNBOUNDED PRECEDING)) AS ts
            FROM ranked r),
        inserted AS (
            INSERT INTO messages (channel_id, seq, sender, payload, ts_ms, signature)
            SELECT channel_id, seq, sender, payload, ts, NULLIF(signature, ''::BYTEA) FROM numbered ORDER BY position),
        moved AS (
            UPDATE channels c SET last_seq = t.seq, last_ts = t.ts
            FROM (SELECT DISTINCT ON (channel_id) channel_id, seq, ts FROM numbered ORDER BY channel_id, k DESC) t
            WHERE c.id = t.channel_id),
        notified AS (
            SELECT position, pg_notify(\(BusEnvelope.channel), json_build_object(
                'o', \(origin)::TEXT, 'c', channel_id, 'n', channel, 's', seq, 'f', sender, 'r', receipt, 't', ts,
                'b', CASE WHEN octet_length(payload) <= \(BusEnvelope.inlineBodyBytes)
                     THEN translate(encode(payload, 'base64'), E'\\n', '') END,
                'g', CASE WHEN octet_length(payload) <= \(BusEnvelope.inlineBodyBytes) AND octet_length(signature) BETWEEN 1 AND \(BusEnvelope.inlineSignatureBytes)
                     THEN translate(encode(signature, 'base64'), E'\\n', '') END)::TEXT) AS sent
            FROM (SELECT * FROM numbered ORDER BY position) ordered ORDER BY position)
        SELECT n.position, n.channel_id, n.seq, n.ts FROM numbered n JOIN notified USING (position) ORDER BY n.position
        """
    }

    public func trimHistory(of channel: String, keeping count: Int) async throws(StoreError) -> Int {
        let logger = logger
        let offset = max(0, count - 1)
        return try await withConnection("trim history") { connection in
            try await Self.rows(
                connection.query(
                    """
                    WITH c AS (SELECT id FROM channels WHERE name = \(channel)),
                    boundary AS (
                        SELECT m.ts_ms, m.id FROM messages m, c WHERE m.channel_id = c.id
                        ORDER BY m.ts_ms DESC, m.id DESC LIMIT 1 OFFSET \(offset)),
                    deleted AS (
                        DELETE FROM messages m USING c, boundary
                        WHERE m.channel_id = c.id AND (m.ts_ms, m.id) < (boundary.ts_ms, boundary.id)
                        RETURNING 1)
                    SELECT COUNT(*) FROM deleted
                    """, logger: logger),
                as: Int64.self
            ).first.map(Int.init) ?? 0
        }
    }

    public func messages(in channel: String, after sinceMs: Int64, limit: Int) async throws(StoreError) -> [StoredMessage] {
        try await storedMessages(
            "read history",
            """
            SELECT m.id, m.seq, m.sender, m.payload, m.ts_ms, m.signature FROM messages m JOIN channels c ON c.id = m.channel_id
            WHERE c.name = \(channel) AND m.ts_ms > \(sinceMs) ORDER BY m.ts_ms, m.id LIMIT \(limit)
            """)
    }

    public func messages(inChannelID channelID: Int64, afterSeq: Int64, limit: Int) async throws(StoreError) -> [StoredMessage] {
        try await storedMessages(
            "read by number",
            """
            SELECT id, seq, sender, payload, ts_ms, signature FROM messages WHERE channel_id = \(channelID) AND seq > \(afterSeq)
            ORDER BY seq LIMIT \(limit)
            """)
    }

    private func storedMessages(_ operation: String, _ query: PostgresQuery) async throws(StoreError) -> [StoredMessage] {
        let logger = logger
        return try await withConnection(operation) { connection in
            var result: [StoredMessage] = []
            for try await (id, seq, sender, payload, ts, signature) in try await connection.query(query, logger: logger)
                .decode((Int64, Int64, String, ByteBuffer, Int64, ByteBuffer?).self) {
                result.append(StoredMessage(
                    id: id, seq: seq, sender: sender, payload: Array(payload.readableBytesView), tsMs: ts,
                    signature: signature.map { Array($0.readableBytesView) }))
            }
            return result
        }
    }

    public func purge(messagesBefore cutoffMs: Int64, invitesExpiredBefore nowMs: Int64) async throws(StoreError) -> PurgeCounts {
        let logger = logger
        return try await transaction("purge") { connection in
            let messages = try await Self.rows(
                connection.query(
                    "WITH d AS (DELETE FROM messages WHERE ts_ms < \(cutoffMs) RETURNING 1) SELECT COUNT(*) FROM d", logger: logger),
                as: Int64.self
            ).first ?? 0
            let invites = try await Self.rows(
                connection.query(
                    """
                    WITH d AS (DELETE FROM invites WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= \(nowMs) RETURNING 1)
                    SELECT COUNT(*) FROM d
                    """, logger: logger),
                as: Int64.self
            ).first ?? 0
            // Spilled bus events are read within moments; an hour is plenty.
            try await connection.query("DELETE FROM bus_spill WHERE created_at < now() - interval '1 hour'", logger: logger)
            return PurgeCounts(messages: Int(messages), invites: Int(invites))
        }
    }
}
