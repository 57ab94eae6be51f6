import ConclaveIdentity

/// A token bucket: `burst` tokens, refilled at `perSecond`; each admitted action takes one.
///
/// A pure value with the clock passed in, so tests drive time themselves.
struct TokenBucket: Sendable, Hashable {
    let rule: RateRule
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    /// A full bucket.
    init(rule: RateRule, now: ContinuousClock.Instant) {
        self.rule = rule
        tokens = Double(rule.burst)
        updated = now
    }

    /// Takes a token if there is one; otherwise returns how long until there will be.
    mutating func take(now: ContinuousClock.Instant) -> Duration? {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let seconds = (1 - tokens) / rule.perSecond
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Whether the bucket is full again (and can be forgotten without changing any decision).
    mutating func isFull(now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        return tokens >= Double(rule.burst)
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > updated else { return }
        let elapsed = updated.duration(to: now)
        tokens = min(Double(rule.burst), tokens + elapsed.fractionalSeconds * rule.perSecond)
        updated = now
    }
}
