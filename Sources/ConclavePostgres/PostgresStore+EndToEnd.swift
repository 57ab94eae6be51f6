public import ConclaveStorage
import PostgresNIO

/// End-to-end encrypted channels: announcements, the channel flag and the key shares, all opaque
/// to the server.
extension PostgresStore {
    public func setAgreement(user: String, machine: String, announcement: [UInt8]) async throws(StoreError) -> Bool {
        try await !column(
            "record a key announcement",
            "UPDATE machines SET agreement = \(ByteBuffer(bytes: announcement)) WHERE username = \(user) AND name = \(machine) RETURNING name",
            as: String.self
        ).isEmpty
    }

    public func agreements(of users: [String]) async throws(StoreError) -> [String: [UInt8]] {
        let logger = logger
        let wanted = Array(Set(users))
        return try await withConnection("read key announcements") { connection in
            var result: [String: [UInt8]] = [:]
            let rows = try await connection.query(
                "SELECT username, name, agreement FROM machines WHERE username = ANY(\(wanted)) AND agreement IS NOT NULL", logger: logger)
            for try await (user, name, agreement) in rows.decode((String, String, ByteBuffer).self) {
                result[user + "/" + name] = Array(agreement.readableBytesView)
            }
            return result
        }
    }

    public func markEncrypted(channel: String) async throws(StoreError) -> Bool {
        try await !column(
            "mark a channel encrypted", "UPDATE channels SET encrypted = TRUE WHERE name = \(channel) RETURNING name", as: String.self
        ).isEmpty
    }

    public func encryptedChannels() async throws(StoreError) -> [String] {
        try await column("list encrypted channels", "SELECT name FROM channels WHERE encrypted ORDER BY name", as: String.self)
    }

    public func storeChannelKeys(_ shares: [ChannelKeyShare], channel: String, nowMs: Int64) async throws(StoreError) {
        guard !shares.isEmpty else { return }
        let logger = logger
        let kept = ChannelKeyShare.keptPerPair
        try await transaction("store channel keys") { connection in
            for share in shares {
                let keyID = ByteBuffer(bytes: share.keyID)
                try await connection.query(
                    """
                    INSERT INTO channel_keys (channel_id, recipient, sender, key_id, share, created_at_ms)
                    SELECT id, \(share.recipient), \(share.sender), \(keyID), \(ByteBuffer(bytes: share.share)), \(nowMs)
                    FROM channels WHERE name = \(channel)
                    ON CONFLICT (channel_id, recipient, sender, key_id) DO UPDATE SET share = EXCLUDED.share, created_at_ms = EXCLUDED.created_at_ms
                    """, logger: logger)
                try await connection.query(
                    """
                    DELETE FROM channel_keys k USING channels c
                    WHERE c.name = \(channel) AND k.channel_id = c.id AND k.recipient = \(share.recipient) AND k.sender = \(share.sender)
                      AND k.id NOT IN (
                        SELECT k2.id FROM channel_keys k2 WHERE k2.channel_id = c.id AND k2.recipient = \(share.recipient)
                          AND k2.sender = \(share.sender) ORDER BY k2.created_at_ms DESC, k2.id DESC LIMIT \(kept))
                    """, logger: logger)
            }
        }
    }

    public func channelKeys(channel: String, recipient: String) async throws(StoreError) -> [ChannelKeyShare] {
        let logger = logger
        return try await withConnection("read channel keys") { connection in
            var result: [ChannelKeyShare] = []
            let rows = try await connection.query(
                """
                SELECT k.sender, k.recipient, k.key_id, k.share FROM channel_keys k JOIN channels c ON c.id = k.channel_id
                WHERE c.name = \(channel) AND k.recipient = \(recipient) ORDER BY k.created_at_ms, k.id
                """, logger: logger)
            for try await (sender, recipient, keyID, share) in rows.decode((String, String, ByteBuffer, ByteBuffer).self) {
                result.append(ChannelKeyShare(
                    sender: sender, recipient: recipient, keyID: Array(keyID.readableBytesView), share: Array(share.readableBytesView)))
            }
            return result
        }
    }
}
