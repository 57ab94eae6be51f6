/// One column of a listing, read from one row: its header and cell in the table, its key and
/// value in `--json`. A listing declares its columns once, so the two forms cannot drift apart.
struct ListingColumn<Row> {
    let header: String
    let key: String
    let cell: (Row) -> String
    let value: (Row) -> JSONDocument

    /// A column whose cell and JSON value are the same text.
    static func text(_ header: String, _ key: String, _ text: @escaping (Row) -> String) -> Self {
        Self(header: header, key: key, cell: text) { .string(text($0)) }
    }
}
