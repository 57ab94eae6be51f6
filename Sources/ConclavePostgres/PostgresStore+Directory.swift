import ConclaveIdentity
public import ConclaveStorage
import Logging
import PostgresNIO

/// The cluster directory in the shared database: `nodes` (heartbeats), `sessions` and
/// `subscriptions`. Queries answer for the other instances (`node <> self`).
extension PostgresStore: ClusterDirectory {
    public func claim(_ entry: DirectoryEntry) async throws(StoreError) -> DirectoryEntry? {
        let logger = logger
        let token = Int64(bitPattern: entry.token)
        return try await transaction("directory claim") { connection in
            var previous: DirectoryEntry?
            for try await (user, node, old) in try await connection.query(
                "SELECT username, node, token FROM sessions WHERE path = \(entry.path) FOR UPDATE", logger: logger
            ).decode((String, String, Int64).self) {
                previous = DirectoryEntry(path: entry.path, user: user, node: node, token: UInt64(bitPattern: old))
            }
            try await connection.query("DELETE FROM subscriptions WHERE path = \(entry.path)", logger: logger)
            try await connection.query(
                """
                INSERT INTO sessions (path, username, node, token) VALUES (\(entry.path), \(entry.user), \(entry.node), \(token))
                ON CONFLICT (path) DO UPDATE SET username = EXCLUDED.username, node = EXCLUDED.node, token = EXCLUDED.token
                """, logger: logger)
            return previous
        }
    }

    public func release(path: String, token: UInt64) async throws(StoreError) {
        let token = Int64(bitPattern: token)
        try await execute("directory release", "DELETE FROM sessions WHERE path = \(path) AND token = \(token)")
    }

    public func entry(at path: String) async throws(StoreError) -> DirectoryEntry? {
        let logger = logger
        let nodeID = nodeID
        return try await withConnection("directory lookup") { connection in
            for try await (user, node, token) in try await connection.query(
                "SELECT username, node, token FROM sessions WHERE path = \(path) AND node <> \(nodeID)", logger: logger
            ).decode((String, String, Int64).self) {
                return DirectoryEntry(path: path, user: user, node: node, token: UInt64(bitPattern: token))
            }
            return nil
        }
    }

    public func sessionPaths() async throws(StoreError) -> [String] {
        try await column("directory sessions", "SELECT path FROM sessions WHERE node <> \(nodeID)", as: String.self)
    }

    public func sessionCount(of user: String) async throws(StoreError) -> Int {
        try await column(
            "directory count", "SELECT COUNT(*) FROM sessions WHERE username = \(user) AND node <> \(nodeID)", as: Int64.self
        ).first.map(Int.init) ?? 0
    }

    public func subscribe(path: String, token: UInt64, to channel: String) async throws(StoreError) {
        let token = Int64(bitPattern: token)
        try await execute(
            "directory subscribe",
            """
            INSERT INTO subscriptions (path, channel_id)
            SELECT s.path, c.id FROM sessions s, channels c WHERE s.path = \(path) AND s.token = \(token) AND c.name = \(channel)
            ON CONFLICT DO NOTHING
            """)
    }

    public func unsubscribe(path: String, from channel: String) async throws(StoreError) {
        try await execute(
            "directory unsubscribe",
            "DELETE FROM subscriptions WHERE path = \(path) AND channel_id = (SELECT id FROM channels WHERE name = \(channel))")
    }

    public func subscriberPaths(of channel: String) async throws(StoreError) -> [String] {
        try await column(
            "directory subscribers",
            """
            SELECT s.path FROM subscriptions s JOIN sessions n ON n.path = s.path JOIN channels c ON c.id = s.channel_id
            WHERE c.name = \(channel) AND n.node <> \(nodeID)
            """,
            as: String.self)
    }

    @discardableResult
    public func heartbeat() async throws(StoreError) -> Bool {
        let logger = logger
        let nodeID = nodeID
        return try await withConnection("heartbeat") { connection in
            // The database's clock, so instances' clocks need not agree. `xmax = 0` holds for a
            // row this statement inserted rather than updated.
            try await Self.rows(
                connection.query(
                    """
                    INSERT INTO nodes (id, heartbeat) VALUES (\(nodeID), now())
                    ON CONFLICT (id) DO UPDATE SET heartbeat = now() RETURNING (xmax = 0)
                    """, logger: logger),
                as: Bool.self
            ).first ?? true
        }
    }

    public func sweepDeadNodes(silentFor silence: Duration) async throws(StoreError) -> [String] {
        let logger = logger
        let seconds = silence.fractionalSeconds
        return try await transaction("sweep instances") { connection in
            try await connection.query(
                "DELETE FROM nodes WHERE heartbeat < now() - make_interval(secs => \(seconds))", logger: logger)
            // Sessions of an instance without a heartbeat row: it was swept, or died before its
            // first heartbeat.
            return try await Self.rows(
                connection.query("DELETE FROM sessions WHERE node NOT IN (SELECT id FROM nodes) RETURNING path", logger: logger),
                as: String.self)
        }
    }

    public func leave() async throws(StoreError) {
        let logger = logger
        let nodeID = nodeID
        try await transaction("leave the cluster") { connection in
            try await connection.query("DELETE FROM sessions WHERE node = \(nodeID)", logger: logger)
            try await connection.query("DELETE FROM nodes WHERE id = \(nodeID)", logger: logger)
        }
    }
}
