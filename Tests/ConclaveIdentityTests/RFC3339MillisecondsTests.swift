import ConclaveIdentity
import Testing

@Suite("RFC 3339 with milliseconds")
struct RFC3339MillisecondsTests {
    @Test func everyMillisecondSurvivesTheRoundTrip() {
        // A Double of the whole value rounds .123 down to .122; the text must not.
        #expect(RFC3339Milliseconds.text(ms: 1_795_000_000_123) == "2026-11-18T11:06:40.123Z")
        #expect(RFC3339Milliseconds.text(ms: 1_795_000_000_007) == "2026-11-18T11:06:40.007Z")
        for ms in [Int64(0), 1, 999, 1_000, 1_795_000_000_123, 1_795_000_000_999] {
            #expect(RFC3339Milliseconds.ms(text: RFC3339Milliseconds.text(ms: ms)) == ms)
        }
    }

    @Test func textWithoutFractionsParsesAndGarbageIsZero() {
        #expect(RFC3339Milliseconds.ms(text: "2026-11-18T11:06:40Z") == 1_795_000_000_000)
        #expect(RFC3339Milliseconds.ms(text: "yesterday") == 0)
    }
}
