import ConclaveProtocol

/// The hub's per-session and per-user rate limits, checked inside the hub actor.
struct HubLimiters: Sendable {
    private var sessionPosts: RateLimiter<SessionPath>
    private var userPosts: RateLimiter<String>
    private var sessionWhispers: RateLimiter<SessionPath>
    private var userWhispers: RateLimiter<String>
    private var sessionJoins: RateLimiter<SessionPath>
    private var userJoins: RateLimiter<String>
    private var userChannelChanges: RateLimiter<String>
    private let metrics: ServerMetrics

    init(_ limits: ServerLimits, metrics: ServerMetrics = ServerMetrics()) {
        self.metrics = metrics
        sessionPosts = RateLimiter(limits.postsPerSession)
        userPosts = RateLimiter(limits.postsPerUser)
        sessionWhispers = RateLimiter(limits.whispersPerSession)
        userWhispers = RateLimiter(limits.whispersPerUser)
        sessionJoins = RateLimiter(limits.joinsPerSession)
        userJoins = RateLimiter(limits.joinsPerUser)
        userChannelChanges = RateLimiter(limits.channelChangesPerUser)
    }

    /// Admits a channel creation or rename by `user` (they probe the one namespace of names, so
    /// they are counted per user, whichever session asks), or the refusal to send.
    mutating func admitChannelChange(by user: String, now: ContinuousClock.Instant) -> ProtocolError? {
        guard let rule = userChannelChanges.rule, let wait = userChannelChanges.admit(user, now: now) else { return nil }
        metrics.limitTripped(.channelRate)
        return Refusal.rateLimited("channel creations and renames", scope: "from user `\(user)`", rule: rule, retryAfter: wait)
    }

    /// Admits a post from `path`, or the refusal to send.
    mutating func admitPost(from path: SessionPath, now: ContinuousClock.Instant) -> ProtocolError? {
        admit("posts", path, now, &sessionPosts, &userPosts, keys: (.postRate, .userPostRate))
    }

    /// Admits a whisper from `path`, or the refusal to send.
    mutating func admitWhisper(from path: SessionPath, now: ContinuousClock.Instant) -> ProtocolError? {
        admit("whispers", path, now, &sessionWhispers, &userWhispers, keys: (.whisperRate, .userWhisperRate))
    }

    /// Admits a join from `path`, or the refusal to send.
    mutating func admitJoin(from path: SessionPath, now: ContinuousClock.Instant) -> ProtocolError? {
        admit("joins", path, now, &sessionJoins, &userJoins, keys: (.joinRate, .userJoinRate))
    }

    /// Forgets the buckets that have refilled (called by the reaper).
    mutating func forgetIdle(now: ContinuousClock.Instant) {
        sessionPosts.forgetIdle(now: now)
        userPosts.forgetIdle(now: now)
        sessionWhispers.forgetIdle(now: now)
        userWhispers.forgetIdle(now: now)
        sessionJoins.forgetIdle(now: now)
        userJoins.forgetIdle(now: now)
        userChannelChanges.forgetIdle(now: now)
    }

    /// The session's bucket first, so one busy session does not drain its user's bucket with
    /// actions that are refused anyway.
    private func admit(
        _ what: String, _ path: SessionPath, _ now: ContinuousClock.Instant,
        _ session: inout RateLimiter<SessionPath>, _ user: inout RateLimiter<String>,
        keys: (session: ServerLimits.Key, user: ServerLimits.Key)
    ) -> ProtocolError? {
        if let rule = session.rule, let wait = session.admit(path, now: now) {
            metrics.limitTripped(keys.session)
            return Refusal.rateLimited(what, scope: "from this session", rule: rule, retryAfter: wait)
        }
        if let rule = user.rule, let wait = user.admit(path.user, now: now) {
            metrics.limitTripped(keys.user)
            return Refusal.rateLimited(what, scope: "from user `\(path.user)`", rule: rule, retryAfter: wait)
        }
        return nil
    }
}
