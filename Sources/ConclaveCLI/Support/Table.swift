/// An aligned text table for listings: a header row, then one row per item, columns separated by
/// two spaces. Cells are made safe for a terminal first (``TerminalText``), since names and
/// bodies come from other people.
struct Table {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: String...) {
        self.init(headers: headers)
    }

    init(headers: [String]) {
        self.headers = headers
    }

    mutating func append(_ cells: String...) {
        append(cells: cells)
    }

    mutating func append(cells: [String]) {
        rows.append(cells.map(TerminalText.sanitized))
    }

    /// The lines to print, without trailing spaces.
    func lines() -> [String] {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return all.map { row in
            let line = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column])
            }.joined(separator: "  ")
            // An empty last cell would otherwise leave padding at the end of the line.
            return String(line.reversed().drop { $0 == " " }.reversed())
        }
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
