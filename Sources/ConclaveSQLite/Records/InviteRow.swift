import ConclaveStorage
import GRDB

/// A row of `invites`: a token admitting its redeemer to one private channel.
struct InviteRow: FetchableRecord, TableRecord {
    static let databaseTableName = "invites"

    enum Columns {
        static let token = Column("token")
        static let channelID = Column("channel_id")
        static let usesRemaining = Column("uses_remaining")
        static let expiresAtMs = Column("expires_at_ms")
        static let createdBy = Column("created_by")
    }

    static var databaseSelection: [any SQLSelectable] {
        [Columns.token, Columns.channelID, Columns.usesRemaining, Columns.expiresAtMs, Columns.createdBy]
    }

    let record: InviteRecord
    let channelID: Int64

    init(row: Row) throws {
        record = InviteRecord(
            token: row[Columns.token], usesRemaining: row[Columns.usesRemaining], expiresAtMs: row[Columns.expiresAtMs],
            createdBy: row[Columns.createdBy])
        channelID = row[Columns.channelID]
    }
}
