import GRDB

/// One message as the console shows and indexes it: a row of the index's `message` table (a GRDB
/// record) and an element of the page's timelines. Every text field but `trust` came from another
/// machine: the page only ever sets them as text, never as markup.
struct ConsoleMessage: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "message"

    /// The index's row id (`nil` before it is stored): the page's cursor for scroll-back.
    var id: Int64?
    /// The server, as its normalised URL.
    var server: String
    /// `#channel`, or `@user/machine/session` for a whisper conversation.
    var conversation: String
    /// Who wrote it (a session path).
    var sender: String
    /// The server's stamp for history, the arrival time for live messages (milliseconds).
    var tsMs: Int64
    /// The text, or a placeholder in angle brackets saying why it cannot be read.
    var text: String
    /// `verified`, `unverified` or `invalid` (checked here, never the server's word), or `sent`
    /// for this console's own messages.
    var trust: String
    /// Why it is not verified.
    var trustNote: String?
    /// Whether it crossed the server end-to-end encrypted.
    var encrypted: Bool
    /// Whether this console sent it.
    var outgoing: Bool

    /// The columns, for queries.
    enum Columns {
        static let server = Column(CodingKeys.server)
        static let conversation = Column(CodingKeys.conversation)
        static let sender = Column(CodingKeys.sender)
        static let tsMs = Column(CodingKeys.tsMs)
        static let text = Column(CodingKeys.text)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The conversation name of a channel.
    static func channel(_ name: String) -> String { "#" + name }
    /// The conversation name of whispers with `peer`.
    static func whispers(with peer: String) -> String { "@" + peer }
}
