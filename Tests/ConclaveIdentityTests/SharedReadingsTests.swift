@testable import ConclaveIdentity
import Testing

/// The readings every layer shares, written once: durations as numbers, hosts in addresses, and
/// times people read.
@Suite("Shared readings")
struct SharedReadingsTests {
    @Test func durationsReadAsWholeUnitsRoundedTowardZero() {
        let duration = Duration.seconds(2) + .nanoseconds(345_678_901)
        #expect(duration.wholeMilliseconds == 2_345)
        #expect(duration.wholeNanoseconds == 2_345_678_901)
        #expect(abs(duration.fractionalSeconds - 2.345678901) < 1e-9)
        #expect(Duration.milliseconds(-1_500).wholeMilliseconds == -1_500)
        #expect(Duration.zero.fractionalSeconds == 0)
    }

    @Test func ipv6HostsAreBracketedInAddresses() {
        #expect(HostText.address(host: "::1", port: 4390) == "[::1]:4390")
        #expect(HostText.address(host: "127.0.0.1", port: 4390) == "127.0.0.1:4390")
        #expect(HostText.bracketed("[::1]") == "[::1]")
        #expect(HostText.bracketed("example.org") == "example.org")
    }

    @Test func wholeSecondTimesAreUTCAndOutOfRangeOnesStayNumbers() {
        #expect(RFC3339Milliseconds.wholeSecondsText(ms: 1_765_022_400_999) == "2025-12-06T12:00:00Z")
        #expect(RFC3339Milliseconds.wholeSecondsText(ms: -1) == "-1")
        #expect(RFC3339Milliseconds.wholeSecondsText(ms: 253_402_300_800_000) == "253402300800000")
    }
}
