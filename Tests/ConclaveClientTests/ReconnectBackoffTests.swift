import ConclaveClient
import Testing

@Suite("reconnect backoff")
struct ReconnectBackoffTests {
    @Test func doublesUpToTheCapAndResetsAfterAStableConnection() {
        var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0, stableAfter: .seconds(60))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<6).map { _ in backoff.nextDelay(using: &generator) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        backoff.connectionEnded(after: .seconds(5))
        #expect(backoff.current == .seconds(8))
        backoff.connectionEnded(after: .seconds(60))
        #expect(backoff.nextDelay(using: &generator) == .seconds(1))
    }

    @Test func jitterStaysWithinItsBounds() {
        var generator = SystemRandomNumberGenerator()
        var spread = Set<Duration>()
        for _ in 0..<50 {
            var backoff = ReconnectBackoff(initial: .seconds(10), jitter: 0.2)
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay >= .seconds(8) && delay <= .seconds(12))
            spread.insert(delay)
        }
        #expect(spread.count > 1, "jitter must actually vary the delay")
    }
}
