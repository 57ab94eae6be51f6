import Foundation

/// RFC 3339 text in UTC with milliseconds (`2026-12-06T12:00:00.123Z`), from and to epoch
/// milliseconds: what the server sends for enrolment and expiry times, and what SQLite databases
/// have always stored for creation times.
public enum RFC3339Milliseconds {
    /// `ms` as RFC 3339 UTC with milliseconds.
    public static func text(ms: Int64) -> String {
        // Whole seconds through the formatter, milliseconds by integer arithmetic: a Double of
        // the full value would round some milliseconds down.
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - seconds * 1000
        let base = Date(timeIntervalSince1970: Double(seconds))
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
        let digits = String(millis)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// `ms` as RFC 3339 UTC in whole seconds (`2026-12-06T12:00:00Z`), for people and agents to
    /// read; the plain number when it is before 1970 or after 9999, which no clock here writes.
    public static func wholeSecondsText(ms: Int64) -> String {
        guard ms >= 0, ms < 253_402_300_800_000 else { return "\(ms)" }
        return Date(timeIntervalSince1970: Double(ms / 1000))
            .formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// Epoch milliseconds of stored text; 0 for text that is not RFC 3339 (it was never written
    /// by a server, and a listing must not fail for it).
    public static func ms(text: String) -> Int64 {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else { return 0 }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
