import ConclaveStorage
import Foundation
import GRDB

/// A row of `messages`, read as the history a page carries.
struct MessageRow: FetchableRecord, TableRecord {
    static let databaseTableName = "messages"

    enum Columns {
        static let id = Column("id")
        static let channelID = Column("channel_id")
        static let seq = Column("seq")
        static let sender = Column("sender")
        static let payload = Column("payload")
        static let tsMs = Column("ts_ms")
        static let signature = Column("signature")
    }

    let message: StoredMessage

    init(row: Row) throws {
        message = StoredMessage(
            id: row[Columns.id], seq: row[Columns.seq], sender: row[Columns.sender], payload: [UInt8](row[Columns.payload] as Data),
            tsMs: row[Columns.tsMs], signature: (row[Columns.signature] as Data?).map { [UInt8]($0) })
    }
}
