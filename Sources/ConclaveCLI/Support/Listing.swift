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

    /// `rows` as a table of `columns`, or as a JSON array of objects keyed by them.
    static func emit<Row>(_ rows: [Row], columns: [ListingColumn<Row>], options: OutputOptions, emptyNote: String) throws {
        var table = Table(headers: columns.map(\.header))
        for row in rows { table.append(cells: columns.map { $0.cell(row) }) }
        let json = JSONDocument.array(rows.map { row in
            .object(Dictionary(columns.map { ($0.key, $0.value(row)) }) { first, _ in first })
        })
        try emit(table, json: json, options: options, emptyNote: emptyNote)
    }

    /// A listing of usernames (`user list`, `acl list`, `bans`).
    static func emit(users: [String], header: String, options: OutputOptions, emptyNote: String) throws {
        try emit(users, columns: [.text(header, "username") { $0 }], options: options, emptyNote: emptyNote)
    }
}
