import ConclaveIdentity
import ConclaveProtocol
import ConclaveStorage
import ConclaveTransport
import Foundation
import Logging

/// The server's shared state and rules: sessions, subscriptions, the ban mirror, and every
/// request a session can make. One actor, so state changes are serialized; store calls are
/// awaited, and anything checked before an await is re-checked after it where it matters.
actor Hub {
    let store: any ConclaveStore
    let admins: AdminAllowlist
    let settings: HubSettings
    let logger: Logger
    /// Operating figures for `/metrics`.
    nonisolated let metrics: ServerMetrics
    /// Wall-clock milliseconds since the epoch; replaceable in tests.
    let wallClock: @Sendable () -> Int64

    var presence: any PresenceDirectory = LocalPresence()
    /// Channel → banned usernames, loaded at start and written through.
    var bans: [String: Set<String>] = [:]
    /// The end-to-end encrypted channels (mirrored from the store, and across instances).
    var encryptedChannels: Set<String> = []
    /// Posts admitted and not yet handed to the store, oldest first.
    var uncommittedPosts: [PendingPost] = []
    /// Whether a batch of posts is being written.
    var committingPosts = false
    /// Post, whisper and join rate limits.
    var limiters: HubLimiters
    /// Limits before a session exists (connections, handshakes, registrations).
    nonisolated let admission: AdmissionControl
    /// Each channel's newest message timestamp: a channel's stamps strictly increase, so a
    /// `ReadSince` page never has to end inside a millisecond.
    var lastStamps: [String: Int64] = [:]
    /// Increases with every revocation; sessions carry the value read before their key lookup.
    /// Set when a graceful shutdown began: sessions attaching after that are closed as "going away".
    private var shutdownReason: String?
    var revocationEpoch: UInt64 = 0
    /// Recent revocations (kept for a minute: longer than any handshake), for ``attach(_:)``.
    var revocations: [Revocation] = []
    /// Channels posted to since the last history-quota trim.
    var postedSinceTrim: Set<String> = []
    /// Receipts of recent messages from sessions that speak the `receipts` extension.
    var receipts = ReceiptBook()
    /// Whispers held for a target session that is not connected yet.
    var heldWhispers = HeldWhispers()
    /// The other instances, when this is one of several sharing the store.
    var cluster: ClusterLink?
    /// Directory changes waiting for ``ClusterService`` (set with ``cluster``).
    var directoryOperations: AsyncStream<DirectoryOperation>.Continuation?
    /// In-order delivery of channel messages across instances (used only in a cluster).
    var sequencer = ChannelSequencer()
    /// When this instance's last heartbeat reached the cluster store.
    var lastHeartbeat: ContinuousClock.Instant?

    init(
        store: any ConclaveStore, admins: AdminAllowlist, settings: HubSettings = HubSettings(), logger: Logger,
        metrics: ServerMetrics = ServerMetrics(), wallClock: @escaping @Sendable () -> Int64 = { EpochClock.nowMs() }
    ) {
        self.metrics = metrics
        self.store = store
        self.admins = admins
        self.settings = settings
        self.logger = logger
        self.wallClock = wallClock
        limiters = HubLimiters(settings.limits, metrics: metrics)
        admission = AdmissionControl(settings.limits, descriptorLimit: settings.descriptorLimit, metrics: metrics)
    }

    /// Refuses a new session when its user already has as many live sessions as allowed
    /// (a reconnect on the same path supersedes and is always allowed).
    func sessionRefusal(for path: SessionPath) async -> ProtocolError? {
        guard let limit = settings.limits.sessionsPerUser, presence.session(at: path) == nil else { return nil }
        let count: Int
        do {
            count = try await clusterSessionCount(of: path.user)
        } catch {
            // The directory is unreachable: count this instance's sessions, not refuse everyone.
            logger.warning("could not count sessions across instances", metadata: ["error": "\(error)"])
            count = presence.sessionCount(of: path.user)
        }
        guard count >= limit else { return nil }
        metrics.limitTripped(.sessionsPerUser)
        return Refusal.capacity(
            "live sessions for user `\(path.user)`", limit: limit,
            // Not `conclave who`: it needs a session too, and would be refused the same way.
            advice: "stop bridges, `tail`s or `approve`s of this account you no longer use (or reuse one's handle with --as, "
                + "which replaces it), or ask the operator to raise `sessions-per-user`")
    }

    /// Reaper work for the limits: forgets refilled buckets and trims channels over their
    /// history quota.
    func sweepLimits() async {
        expireHeldWhispers()
        let now = ContinuousClock.now
        limiters.forgetIdle(now: now)
        admission.forgetIdle(now: now)
        revocations.removeAll { $0.at.duration(to: now) > .seconds(60) }
        if let refused = admission.takeAcceptRefusals() {
            // One line per sweep, not one per connection: a flood must not flood the log too.
            logger.warning("connections closed at accept by the unauthenticated-connection limits", metadata: [
                "connections": "\(refused.connections)", "addresses": "\(refused.addresses)",
                "limit-total": "\(admission.unauthenticatedCap.map(String.init) ?? "off")",
                "limit-per-address": "\(settings.limits.unauthenticatedConnectionsPerAddress.map(String.init) ?? "off")",
            ])
        }
        guard let quota = settings.limits.channelHistory else { return }
        let channels = postedSinceTrim
        postedSinceTrim = []
        for channel in channels {
            do {
                let removed = try await store.trimHistory(of: channel, keeping: quota)
                if removed > 0 {
                    logger.info("history quota applied", metadata: ["channel": "\(channel)", "removed": "\(removed)", "quota": "\(quota)"])
                }
            } catch {
                logger.warning("history quota sweep failed", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
        }
    }

    /// Loads the persisted bans into the mirror.
    func start() async throws(StoreError) {
        lastStamps = try await store.latestTimestamps()
        bans = [:]
        for ban in try await store.allBans() {
            bans[ban.channel, default: []].insert(ban.user)
        }
        encryptedChannels = Set(try await store.encryptedChannels())
        if cluster != nil {
            sequencer.start(try await store.channelSequences())
        }
    }

    // MARK: Sessions

    /// Makes `session` live, replacing (and terminating) any session on the same path; `false`
    /// (and the session is terminated) when its machine or account was revoked after its key was
    /// looked up. The caller has already queued `Established` and `ServerInfo`, so no push can
    /// overtake them.
    @discardableResult
    func attach(_ session: ServerSession) -> Bool {
        // The listener still accepts during the shutdown grace: a client that reconnects at once
        // must get "going away" too, not a session the listener's own shutdown would close as
        // normal (1000).
        if let reason = shutdownReason {
            session.endForShutdown(reason: reason)
            return false
        }
        if let revoked = revocations.first(where: { $0.epoch > session.revocationEpoch && $0.covers(session.path) }) {
            session.kill(reason: revoked.reason)
            logger.warning("session refused: revoked while authenticating", metadata: ["path": "\(session.path)"])
            return false
        }
        if let previous = presence.attach(session) {
            previous.kill(reason: Refusal.supersededReason)
            logger.info("session superseded by a newer connection", metadata: ["path": "\(session.path)"])
        }
        recordInDirectory(.claim(DirectoryEntry(
            path: session.path.description, user: session.user, node: cluster?.nodeID ?? "", token: session.clusterToken)))
        logger.info("session established", metadata: [
            "path": "\(session.path)", "user": "\(session.path.user)", "machine": "\(session.path.machine)",
        ])
        releaseHeldWhispers(to: session)
        return true
    }

    /// Records that `user`'s `machine` (every machine when `nil`) was revoked; call right after
    /// the store commit, in the same actor turn that ends its live sessions.
    func recordRevocation(user: String, machine: String?, reason: String) {
        revocationEpoch += 1
        revocations.append(Revocation(user: user, machine: machine, reason: reason, epoch: revocationEpoch, at: .now))
    }

    /// Removes `session` when its connection ends (only if it is still the registered one).
    func detach(_ session: ServerSession) {
        if forget(session) {
            logger.debug("session detached", metadata: ["path": "\(session.path)"])
        }
    }

    /// Removes `session` from presence (and the cluster directory) if it is still the live one on
    /// its path; returns whether it was.
    private func forget(_ session: ServerSession) -> Bool {
        guard presence.detach(session) else { return false }
        recordInDirectory(.release(path: session.path.description, token: session.clusterToken))
        return true
    }

    /// Removes `session` from presence now and terminates it with `reason` (the text of its
    /// final `Error` frame); the log line names the `cause` at the cause's level.
    func drop(_ session: ServerSession, cause: TerminationCause, reason: String, preceding: EncodedFrame? = nil) {
        _ = forget(session)
        session.kill(reason: reason, preceding: preceding)
        logger.log(level: cause.logLevel, "session terminated", metadata: [
            "cause": "\(cause.rawValue)", "reason": "\(reason)", "path": "\(session.path)",
        ])
    }

    /// Hands an encoded frame to a recipient without waiting; a full queue makes it a slow
    /// consumer, which is dropped (the sender is unaffected).
    func deliver(_ frame: EncodedFrame, to recipient: ServerSession) {
        if recipient.output.offer(frame) {
            metrics.deliveries.increment()
        } else if !recipient.output.isClosed {
            cutSlowConsumer(recipient)
        }
    }

    /// ``deliver(_:to:)`` as part of a fan-out: decided now, handed over at `batch`'s send.
    func deliver(_ frame: EncodedFrame, to recipient: ServerSession, into batch: inout DeliveryBatch) -> Bool {
        if recipient.output.offer(frame, into: &batch) { return true }
        if !recipient.output.isClosed { cutSlowConsumer(recipient) }
        return false
    }

    private func cutSlowConsumer(_ session: ServerSession) {
        metrics.slowConsumerCuts[.queueFull]?.increment()
        drop(session, cause: .slowConsumer, reason: "slow consumer: outbound queue overflowed")
    }

    /// Tells a session, as a whisper from `conclave/server/notice`, what happened to it.
    func notify(_ session: ServerSession, _ text: String) {
        _ = session.output.offer(EncodedFrame(SystemNotice.frame(text, to: session.path)))
    }

    /// Drops every session idle for at least the idle timeout; returns how many.
    @discardableResult
    func reapIdleSessions(now: ContinuousClock.Instant = .now) -> Int {
        let idle = presence.allSessions.filter { $0.idleTime(now: now) >= settings.idleTimeout }
        for session in idle {
            drop(session, cause: .idle, reason: "idle timeout: no heartbeat")
        }
        if !idle.isEmpty {
            logger.debug("reaped idle sessions", metadata: ["reaped": "\(idle.count)"])
        }
        return idle.count
    }

    /// Sessions whose socket write has been pending for `settings.writeTimeout` (the peer stopped
    /// reading): they are dropped here; the caller cuts their sockets (gap G11).
    ///
    /// A timestamp per write, checked by the reaper, replaces a timer task per write, which cost
    /// more than the write itself on the fan-out path.
    func dropStalledSessions(now: ContinuousClock.Instant = .now) -> [ServerSession] {
        let stalled = presence.allSessions.filter { $0.writeStalled(now: now, limit: settings.writeTimeout) }
        for session in stalled {
            metrics.slowConsumerCuts[.writeStalled]?.increment()
            drop(session, cause: .slowConsumer, reason: "slow consumer: outbound queue overflowed")
        }
        return stalled
    }

    /// Deletes history past retention and expired invites.
    func purge() async {
        let now = wallClock()
        let retentionMs = Int64(settings.historyRetention.components.seconds) * 1000
        do {
            let removed = try await store.purge(messagesBefore: now - retentionMs, invitesExpiredBefore: now)
            if removed.messages > 0 || removed.invites > 0 {
                logger.debug("history retention sweep", metadata: ["messages": "\(removed.messages)", "invites": "\(removed.invites)"])
            }
        } catch {
            logger.warning("history retention sweep failed", metadata: ["error": "\(error)"])
        }
    }

    /// Ends every live session for a graceful shutdown: each connection closes as "going away"
    /// (WebSocket 1001) without an `Error` frame, so every client, reference ones included,
    /// reconnects instead of giving up.
    @discardableResult
    func terminateAll(reason: String) -> [ServerSession] {
        shutdownReason = reason
        let sessions = presence.allSessions
        for session in sessions {
            _ = forget(session)
            session.endForShutdown(reason: reason)
        }
        if !sessions.isEmpty {
            logger.info("closing live sessions for shutdown", metadata: ["sessions": "\(sessions.count)"])
        }
        return sessions
    }

    /// Sets the gauges a scrape reads from the hub's state (sampled, not tracked on every change).
    func sampleMetrics() {
        let sessions = presence.allSessions
        metrics.establishedSessions.record(sessions.count)
        metrics.handshakingSessions.record(admission.pendingHandshakes)
        metrics.uncommittedPosts.record(uncommittedPosts.count)
        metrics.heldWhispers.record(heldWhispers.held.count)
        var queued = 0
        var deepest = 0
        for session in sessions {
            let depth = session.output.queuedFrames
            queued += depth
            deepest = max(deepest, depth)
        }
        metrics.queuedFrames.record(queued)
        metrics.deepestQueue.record(deepest)
        metrics.process.sample()
    }

    /// Paths of every live session (for tests and `Who`).
    var livePaths: [SessionPath] { presence.allSessions.map(\.path) }

    // MARK: Helpers shared by the request handlers

    func isMember(_ channel: String, _ user: String) async throws -> Bool {
        try await store.memberships(of: user).contains(channel)
    }

    /// The channel, if `session` may administer it. A caller who may not even know about a
    /// non-public channel gets the same refusal as for a missing one (gap G6).
    func administeredChannel(_ name: String, by session: ServerSession) async throws -> ChannelRecord {
        guard let channel = try await store.channel(named: name) else { throw Refusal.channelNotFound(name) }
        if session.isAdmin || channel.createdBy == session.user { return channel }
        if channel.visibility != .public, try await !isMember(name, session.user) {
            throw Refusal.channelNotFound(name)
        }
        throw Refusal.notAdmin
    }

    /// Throws `MalformedFrame` unless `name` is acceptable as a name of `kind`.
    func validate(_ name: String, as kind: ValueParseError.NameKind) throws {
        do {
            try NamePolicy.validate(name, kind: kind)
        } catch {
            throw Refusal.invalidName(error)
        }
    }

    /// Unsubscribes every session of `user` (or only `path`) from `channel`, telling each why.
    func unsubscribe(user: String, path: SessionPath? = nil, from channel: String, notice: String) {
        for session in presence.subscribers(of: channel) where session.user == user && (path == nil || session.path == path) {
            presence.unsubscribe(session.path, from: channel)
            recordInDirectory(.unsubscribe(path: session.path.description, channel: channel))
            notify(session, notice)
        }
    }
}
