public import ConclaveTransport
/// The delay before each reconnection attempt of a long-lived client (`tail`, the bridge's links).
///
/// Delays double from `initial` up to `maximum`, each spread by up to ±`jitter` of itself so that
/// many clients dropped by one server restart do not return in lockstep. A connection that stayed
/// up for `stableAfter` resets the sequence, so a link that drops once a day reconnects quickly
/// every time (the reference never resets: CLI gap 8a).
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first delay.
    public let initial: Duration
    /// The largest delay before jitter.
    public let maximum: Duration
    /// The fraction (0…1) by which each delay is randomly lengthened or shortened.
    public let jitter: Double
    /// How long a connection must last for the next failure to start again from `initial`.
    public let stableAfter: Duration
    /// The delay the next failure will wait, before jitter.
    public private(set) var current: Duration

    /// Creates a backoff; the defaults are 1 s doubling to 30 s, ±20 %, reset after 60 s.
    public init(
        initial: Duration = .seconds(1), maximum: Duration = .seconds(30), jitter: Double = 0.2,
        stableAfter: Duration = .seconds(60)
    ) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = min(max(jitter, 0), 1)
        self.stableAfter = stableAfter
        current = initial
    }

    /// Records that a connection was up for `uptime` before it ended; a stable one resets the delay.
    public mutating func connectionEnded(after uptime: Duration) {
        if uptime >= stableAfter { current = initial }
    }

    /// The delay to wait now, and doubles the next one (up to `maximum`).
    public mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let base = current
        current = min(current * 2, maximum)
        guard jitter > 0 else { return base }
        let factor = 1 + Double.random(in: -jitter...jitter, using: &generator)
        return base * factor
    }

    /// The delay to wait now, using the system's random generator.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }
}
