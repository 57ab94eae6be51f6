/// Token buckets by key (a session, a user, an address), all under one rule.
///
/// Buckets are created full on first use and forgotten once full again (``forgetIdle(now:)``),
/// so memory follows the set of recently active keys, not every key ever seen.
struct RateLimiter<Key: Hashable & Sendable>: Sendable {
    /// The rule, or `nil` when this limit is off.
    let rule: RateRule?
    private var buckets: [Key: TokenBucket] = [:]

    init(_ rule: RateRule?) {
        self.rule = rule
    }

    /// Admits one action for `key`, or returns how long until it would be admitted.
    mutating func admit(_ key: Key, now: ContinuousClock.Instant) -> Duration? {
        guard let rule else { return nil }
        var bucket = buckets[key] ?? TokenBucket(rule: rule, now: now)
        let wait = bucket.take(now: now)
        buckets[key] = bucket
        return wait
    }

    /// Drops the buckets that have refilled completely.
    mutating func forgetIdle(now: ContinuousClock.Instant) {
        buckets = buckets.filter { _, bucket in
            var bucket = bucket
            return !bucket.isFull(now: now)
        }
    }

    /// How many keys have a bucket (for tests and metrics).
    var trackedKeys: Int { buckets.count }
}
