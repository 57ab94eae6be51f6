import ConclaveIdentity
import ConclaveProtocol
import ConclaveStorage
import GRDB

/// A row of `channels`. Memberships, bans, invites, keys and history reference its `id`.
struct ChannelRow: FetchableRecord, TableRecord {
    static let databaseTableName = "channels"

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
        static let visibility = Column("visibility")
        static let createdBy = Column("created_by")
        static let createdAt = Column("created_at")
        static let lastSeq = Column("last_seq")
        static let lastTs = Column("last_ts")
        static let encrypted = Column("encrypted")
    }

    static var databaseSelection: [any SQLSelectable] {
        [Columns.id, Columns.name, Columns.visibility, Columns.createdBy, Columns.createdAt, Columns.lastSeq]
    }

    let id: Int64
    let name: String
    let visibilityToken: String
    let createdBy: String
    let createdAt: String
    let lastSeq: Int64

    init(row: Row) throws {
        id = row[Columns.id]
        name = row[Columns.name]
        visibilityToken = row[Columns.visibility]
        createdBy = row[Columns.createdBy]
        createdAt = row[Columns.createdAt]
        lastSeq = row[Columns.lastSeq]
    }

    /// The channel as the store reports it; `nil` for a visibility no server wrote.
    var record: ChannelRecord? {
        guard let visibility = try? Visibility(token: visibilityToken) else { return nil }
        return ChannelRecord(name: name, visibility: visibility, createdBy: createdBy, createdAtMs: RFC3339Milliseconds.ms(text: createdAt))
    }

    var sequence: ChannelSequence {
        ChannelSequence(channelID: id, name: name, lastSeq: lastSeq)
    }
}
