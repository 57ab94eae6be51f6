import ConclaveProtocol
import Testing

@Suite("duration text")
struct DurationTextTests {
    @Test(arguments: [
        ("90", 90), (" 30s ", 30), ("15m", 900), ("2h", 7_200), ("7d", 604_800), ("+5", 5), ("10 m", 600),
        ("1h30m", 5_400), ("2H", 7_200), ("1d 2h", 93_600), ("0", 0),
    ] as [(String, UInt64)])
    func accepted(_ text: String, _ seconds: UInt64) throws {
        #expect(try DurationText.seconds(parsing: text) == seconds)
    }

    @Test(arguments: ["", "2x", "-5", "1.5h", "h", "5m3", "99999999999999999999", "213503982334602d"])
    func refused(_ text: String) {
        #expect(throws: ValueParseError.self) { try DurationText.seconds(parsing: text) }
    }

    @Test func theErrorNamesTheInput() {
        #expect(throws: ValueParseError.invalidDuration("2x", reason: "unknown unit `x` (use s, m, h or d)")) {
            try DurationText.seconds(parsing: " 2x ")
        }
    }
}
