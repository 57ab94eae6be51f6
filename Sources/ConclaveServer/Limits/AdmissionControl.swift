import ConclaveProtocol
import ConclaveTransport
import Synchronization

/// Limits on what happens before a session exists: connection attempts and registrations per
/// remote address, and connections still in the handshake (per address and in all).
///
/// Shared by every connection's runner, so it is a lock around plain values rather than an actor:
/// each check is a few dictionary operations and must not add a hop to every handshake.
final class AdmissionControl: Sendable {
    private struct State {
        var connections: RateLimiter<String>
        var registrations: RateLimiter<String>
        var pending = AddressCounts()
        var unauthenticated = AddressCounts()
        /// Connections closed at accept since the last summary, and from how many addresses.
        var refusedAtAccept = 0
        var refusedAddresses: Set<String> = []
    }

    private let limits: ServerLimits
    private let state: Mutex<State>
    private let metrics: ServerMetrics
    /// The global cap on unauthenticated connections actually in force: the configured one, kept
    /// below half of the descriptors the process may open.
    let unauthenticatedCap: Int?

    init(_ limits: ServerLimits, descriptorLimit: Int? = nil, metrics: ServerMetrics = ServerMetrics()) {
        self.limits = limits
        self.metrics = metrics
        let descriptorCap = descriptorLimit.map { max(16, $0 / 2) }
        unauthenticatedCap = switch (limits.unauthenticatedConnections, descriptorCap) {
        case let (configured?, cap?): min(configured, cap)
        case let (configured, cap): configured ?? cap
        }
        state = Mutex(State(connections: RateLimiter(limits.connectionsPerAddress), registrations: RateLimiter(limits.registrationsPerAddress)))
    }

    /// Admits a new connection into the handshake, or returns the refusal to send. An admitted
    /// connection must call ``handshakeEnded(address:)`` exactly once.
    func beginHandshake(address: String, now: ContinuousClock.Instant = .now) -> ProtocolError? {
        let refusal = state.withLock { state -> (ServerLimits.Key, ProtocolError)? in
            if let rule = limits.connectionsPerAddress, let wait = state.connections.admit(address, now: now) {
                return (.connectRate, Refusal.rateLimited("connection attempts", scope: "from your address", rule: rule, retryAfter: wait))
            }
            if let limit = limits.pendingHandshakes, state.pending.total >= limit {
                return (.pendingHandshakes, Refusal.capacity("connections in the handshake on this server", limit: limit, advice: "retry in a few seconds"))
            }
            if let limit = limits.pendingHandshakesPerAddress, state.pending.count(of: address) >= limit {
                return (.pendingHandshakesPerAddress, Refusal.capacity(
                    "connections in the handshake from your address", limit: limit, advice: "finish or close the others first"))
            }
            state.pending.add(address)
            return nil
        }
        guard let (key, error) = refusal else { return nil }
        metrics.limitTripped(key)
        return error
    }

    /// Releases the handshake slot taken by ``beginHandshake(address:now:)``.
    func handshakeEnded(address: String) {
        state.withLock { $0.pending.remove(address) }
    }

    /// Admits a registration from `address`, or returns the refusal to send.
    func admitRegistration(address: String, now: ContinuousClock.Instant = .now) -> ProtocolError? {
        let refusal = state.withLock { state -> ProtocolError? in
            guard let rule = limits.registrationsPerAddress, let wait = state.registrations.admit(address, now: now) else { return nil }
            return Refusal.rateLimited("registrations", scope: "from your address", rule: rule, retryAfter: wait)
        }
        if refusal != nil { metrics.limitTripped(.registerRate) }
        return refusal
    }

    /// Forgets the buckets that have refilled (called by the reaper).
    func forgetIdle(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.connections.forgetIdle(now: now)
            state.registrations.forgetIdle(now: now)
        }
    }

    /// What was refused at accept since the last call, for one summary line instead of a line
    /// per connection; `nil` when nothing was.
    func takeAcceptRefusals() -> (connections: Int, addresses: Int)? {
        state.withLock { state in
            guard state.refusedAtAccept > 0 else { return nil }
            defer {
                state.refusedAtAccept = 0
                state.refusedAddresses = []
            }
            return (state.refusedAtAccept, state.refusedAddresses.count)
        }
    }

    /// Unauthenticated connections now (for tests).
    var unauthenticatedConnections: Int { state.withLock { $0.unauthenticated.total } }

    /// Connections in the handshake now (for tests).
    var pendingHandshakes: Int { state.withLock { $0.pending.total } }
}

extension AdmissionControl: ConnectionAdmission {
    func admitConnection(address: String) -> Bool {
        state.withLock { state in
            let overTotal = unauthenticatedCap.map { state.unauthenticated.total >= $0 } ?? false
            let overAddress = limits.unauthenticatedConnectionsPerAddress.map { state.unauthenticated.count(of: address) >= $0 } ?? false
            guard !overTotal, !overAddress else {
                metrics.limitTripped(overTotal ? .unauthenticatedConnections : .unauthenticatedConnectionsPerAddress)
                state.refusedAtAccept += 1
                // Bounded: a summary is taken every reap interval, and at most 1,024 are kept.
                if state.refusedAddresses.count < 1_024 { state.refusedAddresses.insert(address) }
                return false
            }
            state.unauthenticated.add(address)
            return true
        }
    }

    func releaseConnection(address: String) {
        state.withLock { $0.unauthenticated.remove(address) }
    }
}
