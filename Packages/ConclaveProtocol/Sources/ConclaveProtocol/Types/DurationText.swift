/// The duration syntax shared by `invite create --expires-in`, `tail --since` and the bridge's
/// `catch_up`: a count of seconds, or counts with a unit suffix.
///
/// Accepted: `90` (seconds), `30s`, `15m`, `2h`, `7d`, and concatenations such as `1h30m`. Units
/// are case-insensitive; surrounding whitespace is ignored. Everything the reference accepts is
/// accepted with the same meaning (including a leading `+`); fractions, negatives and values that
/// overflow 64 bits are refused instead of wrapping (reference CLI gap 9).
public enum DurationText {
    /// Parses `text` into a number of seconds.
    public static func seconds(parsing text: String) throws(ValueParseError) -> UInt64 {
        let trimmed = text.trimmingASCIIWhitespace()
        func fail(_ reason: String) -> ValueParseError { .invalidDuration(trimmed, reason: reason) }
        var input = Substring(trimmed)
        if input.hasPrefix("+") { input = input.dropFirst() }
        guard !input.isEmpty else { throw fail("it is empty") }
        // A bare number is seconds (the reference also allows whitespace before the unit).
        if input.allSatisfy(\.isASCIIDigit) {
            guard let value = UInt64(input) else { throw fail("it is too large") }
            return value
        }
        var total: UInt64 = 0
        var index = input.startIndex
        while index < input.endIndex {
            if input[index].isASCIIDigit {
                let start = index
                while index < input.endIndex, input[index].isASCIIDigit { index = input.index(after: index) }
                let digits = input[start..<index]
                while index < input.endIndex, input[index] == " " { index = input.index(after: index) }
                guard index < input.endIndex else { throw fail("`\(digits)` needs a unit (s, m, h or d)") }
                let unit: UInt64
                switch input[index].lowercased() {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3_600
                case "d": unit = 86_400
                default: throw fail("unknown unit `\(input[index])` (use s, m, h or d)")
                }
                index = input.index(after: index)
                guard let count = UInt64(digits) else { throw fail("it is too large") }
                let (product, overflowA) = count.multipliedReportingOverflow(by: unit)
                let (sum, overflowB) = total.addingReportingOverflow(product)
                guard !overflowA, !overflowB else { throw fail("it is too large") }
                total = sum
                while index < input.endIndex, input[index] == " " { index = input.index(after: index) }
            } else {
                throw fail("expected a number such as 90, 30s, 15m, 2h, 7d or 1h30m")
            }
        }
        return total
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\n" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
