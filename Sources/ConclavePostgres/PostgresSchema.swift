import Logging
import PostgresNIO

/// The PostgreSQL schema, versioned: each instance that starts takes an advisory lock, applies
/// the versions the store lacks, and refuses a store whose version is newer than its own, so
/// several instances starting together migrate once and an older binary never writes to a newer
/// schema.
enum PostgresSchema {
    /// The version this binary writes.
    static let version = 3

    /// Advisory lock key (arbitrary, fixed): "conclave" in ASCII, as a number.
    static let lockKey: Int64 = 0x636F_6E63_6C61_7665

    /// Statements that take the store from version `index` to `index + 1`. Append; never edit.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE users (username TEXT PRIMARY KEY, created_at_ms BIGINT NOT NULL, skeleton TEXT NOT NULL)",
            "CREATE INDEX users_skeleton ON users(skeleton)",
            """
            CREATE TABLE machines (
                pubkey TEXT PRIMARY KEY,
                username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
                name TEXT NOT NULL,
                added_at_ms BIGINT NOT NULL,
                proven BOOLEAN NOT NULL,
                UNIQUE (username, name))
            """,
            """
            CREATE TABLE channels (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                visibility TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at_ms BIGINT NOT NULL,
                last_seq BIGINT NOT NULL DEFAULT 0,
                last_ts BIGINT NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX channels_creator ON channels(created_by)",
            """
            CREATE TABLE memberships (
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                username TEXT NOT NULL,
                PRIMARY KEY (channel_id, username))
            """,
            "CREATE INDEX memberships_user ON memberships(username)",
            """
            CREATE TABLE bans (
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                username TEXT NOT NULL,
                PRIMARY KEY (channel_id, username))
            """,
            """
            CREATE TABLE invites (
                token TEXT PRIMARY KEY,
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                uses_remaining BIGINT,
                expires_at_ms BIGINT,
                created_by TEXT NOT NULL,
                created_order BIGSERIAL)
            """,
            "CREATE INDEX invites_channel ON invites(channel_id)",
            """
            CREATE TABLE messages (
                id BIGSERIAL PRIMARY KEY,
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                sender TEXT NOT NULL,
                payload BYTEA NOT NULL,
                ts_ms BIGINT NOT NULL)
            """,
            "CREATE INDEX messages_channel_ts ON messages(channel_id, ts_ms, id)",
            "CREATE UNIQUE INDEX messages_channel_seq ON messages(channel_id, seq)",
            "CREATE INDEX messages_ts ON messages(ts_ms)",
            // The cluster directory: instances, their sessions, and the sessions' subscriptions.
            "CREATE TABLE nodes (id TEXT PRIMARY KEY, heartbeat TIMESTAMPTZ NOT NULL)",
            """
            CREATE TABLE sessions (
                path TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                node TEXT NOT NULL,
                token BIGINT NOT NULL)
            """,
            "CREATE INDEX sessions_user ON sessions(username)",
            "CREATE INDEX sessions_node ON sessions(node)",
            """
            CREATE TABLE subscriptions (
                path TEXT NOT NULL REFERENCES sessions(path) ON DELETE CASCADE,
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                PRIMARY KEY (path, channel_id))
            """,
            "CREATE INDEX subscriptions_channel ON subscriptions(channel_id)",
            // Bus events too large for a notification wait here, briefly, for the listeners.
            "CREATE TABLE bus_spill (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        ],
        // The sender's signature (the `signatures` extension), NULL for unsigned posts.
        ["ALTER TABLE messages ADD COLUMN signature BYTEA"],
        // End-to-end encrypted channels: announcements, the flag, and the sealed key shares.
        [
            "ALTER TABLE machines ADD COLUMN agreement BYTEA",
            "ALTER TABLE channels ADD COLUMN encrypted BOOLEAN NOT NULL DEFAULT FALSE",
            """
            CREATE TABLE channel_keys (
                id BIGSERIAL PRIMARY KEY,
                channel_id BIGINT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
                recipient TEXT NOT NULL,
                sender TEXT NOT NULL,
                key_id BYTEA NOT NULL,
                share BYTEA NOT NULL,
                created_at_ms BIGINT NOT NULL,
                UNIQUE (channel_id, recipient, sender, key_id))
            """,
        ],
    ]

    /// Brings the store to ``version`` under the advisory lock; refuses a newer store.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> MigrationOutcome {
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            try await connection.query("CREATE TABLE IF NOT EXISTS conclave_schema (version INT NOT NULL)", logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT version FROM conclave_schema", logger: logger).decode(Int.self) {
                current = max(current, version)
            }
            if current > version {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return .tooNew(found: current)
            }
            var applied = 0
            while current < version {
                let statements = migrations[current]
                let next = current + 1
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("DELETE FROM conclave_schema", logger: logger)
                    try await connection.query("INSERT INTO conclave_schema (version) VALUES (\(next))", logger: logger)
                }
                current = next
                applied += 1
            }
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            return .current(applied: applied)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
    }

    /// What ``migrate(_:logger:)`` found.
    enum MigrationOutcome: Equatable {
        /// The store is at ``version`` now, after `applied` migrations.
        case current(applied: Int)
        /// The store's version is newer than this binary's.
        case tooNew(found: Int)
    }
}
