import Foundation

/// The RFC 3339 text (UTC, milliseconds) that SQLite databases have always stored for creation
/// times, converted from and to the epoch milliseconds of the store interface.
enum StoredTime {
    /// `ms` as RFC 3339 UTC with milliseconds.
    static func text(ms: Int64) -> String {
        // Whole seconds through the formatter, milliseconds by integer arithmetic: a Double of
        // the full value would round some milliseconds down.
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - seconds * 1000
        let base = Date(timeIntervalSince1970: Double(seconds))
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
        let digits = String(millis)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Epoch milliseconds of stored text; 0 for text that is not RFC 3339 (it was never written
    /// by a server, and a listing must not fail for it).
    static func ms(text: String) -> Int64 {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else { return 0 }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
