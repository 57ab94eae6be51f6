/// Prints a listing as an aligned table, or as JSON with `--json`.
enum Listing {
    /// Prints `table` (or `json`); an empty table prints nothing on stdout and `emptyNote` on
    /// stderr, so scripts reading stdout see no rows.
    static func emit(_ table: Table, json: JSONDocument, options: OutputOptions, emptyNote: String) throws {
        if options.json {
            try Output.line(try json.rendered())
        } else if table.rows.isEmpty {
            Output.note(emptyNote)
        } else {
            for line in table.lines() { try Output.line(line) }
        }
    }

    /// A listing of usernames (`user list`, `acl list`, `bans`).
    static func emit(users: [String], header: String, options: OutputOptions, emptyNote: String) throws {
        var table = Table(header)
        for user in users { table.append(user) }
        let json = JSONDocument.array(users.map { .object(["username": .string($0)]) })
        try emit(table, json: json, options: options, emptyNote: emptyNote)
    }
}
