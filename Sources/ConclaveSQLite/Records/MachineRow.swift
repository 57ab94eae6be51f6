import ConclaveIdentity
import ConclaveStorage
import GRDB

/// A row of `machines`: an enrolled machine key.
struct MachineRow: FetchableRecord, TableRecord {
    static let databaseTableName = "machines"

    enum Columns {
        static let pubkey = Column("pubkey")
        static let user = Column("user")
        static let name = Column("name")
        static let addedAt = Column("added_at")
        static let proven = Column("proven")
        static let agreement = Column("agreement")
    }

    /// What a record reads; the key announcement only when asked for (``agreement``).
    static var databaseSelection: [any SQLSelectable] {
        [Columns.pubkey, Columns.user, Columns.name, Columns.addedAt, Columns.proven]
    }

    let record: MachineRecord
    /// Whether the key was proven by its holder (registered), rather than enrolled by `MachineAdd`.
    let proven: Bool

    init(row: Row) throws {
        record = MachineRecord(
            user: row[Columns.user], name: row[Columns.name], pubkey: row[Columns.pubkey],
            addedAtMs: RFC3339Milliseconds.ms(text: row[Columns.addedAt]))
        proven = row[Columns.proven]
    }
}
