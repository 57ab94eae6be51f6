import ConclaveIdentity
import Foundation
import GRDB

/// What this console has seen, kept in a private SQLite file (0600) with a full-text index
/// (FTS5) over the message texts, for scroll-back and search.
///
/// Messages can arrive twice: live, stamped on arrival, and again in the history read after a
/// reconnect, stamped by the server. A message with the same conversation, sender and text
/// within ``duplicateWindowMs`` of one already kept is taken for the same one. Each conversation
/// keeps its newest messages (20,000 by default), so a peer that floods a channel cannot fill
/// the disk.
final class ConsoleIndex: Sendable {
    private let database: DatabaseQueue
    /// Live stamps are arrival times and history stamps the server's: this much apart still
    /// counts as the same message.
    static let duplicateWindowMs: Int64 = 10_000
    /// Messages kept per conversation by default; older ones are dropped (with their search
    /// entries).
    static let defaultKeptPerConversation = 20_000
    private let keptPerConversation: Int

    /// Opens (creating it 0600 if needed) the index at `path`.
    init(path: String, keptPerConversation: Int = ConsoleIndex.defaultKeptPerConversation) throws {
        self.keptPerConversation = keptPerConversation
        // Created with its mode before SQLite opens it; SQLite gives its journal the same mode.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw IndexError("could not create `\(path)`: \(String(cString: strerror(errno)))") }
        close(descriptor)
        _ = chmod(path, 0o600)
        database = try DatabaseQueue(path: path)
        try Self.migrator.migrate(database)
    }

    /// An index that lives only in memory.
    init(keptPerConversation: Int = ConsoleIndex.defaultKeptPerConversation) throws {
        self.keptPerConversation = keptPerConversation
        database = try DatabaseQueue()
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-messages") { db in
            try db.execute(sql: """
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    server TEXT NOT NULL, conversation TEXT NOT NULL, sender TEXT NOT NULL, tsMs INTEGER NOT NULL,
                    text TEXT NOT NULL, trust TEXT NOT NULL, trustNote TEXT, encrypted INTEGER NOT NULL, outgoing INTEGER NOT NULL);
                CREATE INDEX message_by_conversation ON message(server, conversation, tsMs);
                CREATE VIRTUAL TABLE message_text USING fts5(text, content='message', content_rowid='id');
                CREATE TRIGGER message_indexed AFTER INSERT ON message BEGIN
                    INSERT INTO message_text(rowid, text) VALUES (new.id, new.text);
                END;
                CREATE TRIGGER message_unindexed AFTER DELETE ON message BEGIN
                    INSERT INTO message_text(message_text, rowid, text) VALUES ('delete', old.id, old.text);
                END;
                """)
        }
        return migrator
    }

    /// Keeps `message` unless it is already kept; returns it with its id, or `nil` for a duplicate.
    func add(_ message: ConsoleMessage) throws -> ConsoleMessage? {
        try database.write { db in
            typealias Columns = ConsoleMessage.Columns
            let window = (message.tsMs - Self.duplicateWindowMs)...(message.tsMs + Self.duplicateWindowMs)
            let duplicate = try ConsoleMessage
                .filter(Columns.server == message.server && Columns.conversation == message.conversation)
                .filter(Columns.sender == message.sender && Columns.text == message.text && window.contains(Columns.tsMs))
                .isEmpty(db) == false
            if duplicate { return nil }
            var stored = message
            try stored.insert(db)
            // Past the bound, the oldest of this conversation go (an index range, then a delete
            // by row id, each a few pages).
            let excess = try ConsoleMessage
                .filter(Columns.server == message.server && Columns.conversation == message.conversation)
                .order(Columns.tsMs.desc, Column.rowID.desc)
                .limit(1, offset: keptPerConversation)
                .select(Column.rowID, as: Int64.self)
                .fetchOne(db)
            if excess != nil {
                let oldest = try ConsoleMessage
                    .filter(Columns.server == message.server && Columns.conversation == message.conversation)
                    .order(Columns.tsMs.desc, Column.rowID.desc)
                    .limit(-1, offset: keptPerConversation)
                    .select(Column.rowID, as: Int64.self)
                    .fetchAll(db)
                try ConsoleMessage.deleteAll(db, keys: oldest)
            }
            return stored
        }
    }

    /// Up to `limit` messages of a conversation before the message `beforeID` (the newest when
    /// `nil`), oldest first.
    func page(server: String, conversation: String, before beforeID: Int64?, limit: Int) throws -> [ConsoleMessage] {
        try database.read { db in
            typealias Columns = ConsoleMessage.Columns
            let newest = try ConsoleMessage
                .filter(Columns.server == server && Columns.conversation == conversation && Column.rowID < (beforeID ?? Int64.max))
                .order(Columns.tsMs.desc, Column.rowID.desc)
                .limit(limit)
                .fetchAll(db)
            return newest.reversed()
        }
    }

    /// The newest stamp kept for a conversation.
    func newestStamp(server: String, conversation: String) throws -> Int64? {
        try database.read { db in
            typealias Columns = ConsoleMessage.Columns
            return try ConsoleMessage.filter(Columns.server == server && Columns.conversation == conversation)
                .select(max(Columns.tsMs), as: Int64.self)
                .fetchOne(db)
        }
    }

    /// The messages whose text has every word of `query`, newest first. Each word is matched as
    /// a quoted phrase (prefixes with a trailing `*`), so no input is read as FTS5 syntax.
    func search(_ query: String, limit: Int) throws -> [ConsoleMessage] {
        guard let match = Self.matchExpression(query) else { return [] }
        return try database.read { db in
            // FTS5's MATCH has no query-interface form in GRDB without its FTS5 build option.
            try ConsoleMessage.fetchAll(db, sql: """
                SELECT message.* FROM message_text JOIN message ON message.id = message_text.rowid
                WHERE message_text MATCH ? ORDER BY message.tsMs DESC LIMIT ?
                """, arguments: [match, limit])
        }
    }

    /// `query` as an FTS5 expression of quoted terms; `nil` when it has no words.
    static func matchExpression(_ query: String) -> String? {
        let words = query.split(whereSeparator: \.isWhitespace).prefix(16).compactMap { word -> String? in
            let prefix = word.hasSuffix("*")
            let bare = prefix ? word.dropLast() : word[...]
            guard !bare.isEmpty else { return nil }
            return "\"" + bare.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (prefix ? "*" : "")
        }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    struct IndexError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
