import ConclaveStorage
import Foundation
import GRDB

/// A row of `channel_keys`: a channel key sealed by one machine to another.
struct ChannelKeyRow: FetchableRecord, TableRecord {
    static let databaseTableName = "channel_keys"

    enum Columns {
        static let channelID = Column("channel_id")
        static let sender = Column("sender")
        static let recipient = Column("recipient")
        static let keyID = Column("key_id")
        static let share = Column("share")
        static let createdAtMs = Column("created_at_ms")
    }

    let share: ChannelKeyShare

    init(row: Row) throws {
        share = ChannelKeyShare(
            sender: row[Columns.sender], recipient: row[Columns.recipient], keyID: [UInt8](row[Columns.keyID] as Data),
            share: [UInt8](row[Columns.share] as Data))
    }
}
