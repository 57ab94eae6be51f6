import ConclaveProtocol
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
        var pending: [String: Int] = [:]
        var pendingTotal = 0
    }

    private let limits: ServerLimits
    private let state: Mutex<State>

    init(_ limits: ServerLimits) {
        self.limits = limits
        state = Mutex(State(connections: RateLimiter(limits.connectionsPerAddress), registrations: RateLimiter(limits.registrationsPerAddress)))
    }

    /// Admits a new connection into the handshake, or returns the refusal to send. An admitted
    /// connection must call ``handshakeEnded(address:)`` exactly once.
    func beginHandshake(address: String, now: ContinuousClock.Instant = .now) -> ProtocolError? {
        state.withLock { state -> ProtocolError? in
            if let rule = limits.connectionsPerAddress, let wait = state.connections.admit(address, now: now) {
                return Refusal.rateLimited("connection attempts", scope: "from your address", rule: rule, retryAfter: wait)
            }
            if let limit = limits.pendingHandshakes, state.pendingTotal >= limit {
                return Refusal.capacity("connections in the handshake on this server", limit: limit, advice: "retry in a few seconds")
            }
            if let limit = limits.pendingHandshakesPerAddress, state.pending[address, default: 0] >= limit {
                return Refusal.capacity("connections in the handshake from your address", limit: limit, advice: "finish or close the others first")
            }
            state.pending[address, default: 0] += 1
            state.pendingTotal += 1
            return nil
        }
    }

    /// Releases the handshake slot taken by ``beginHandshake(address:now:)``.
    func handshakeEnded(address: String) {
        state.withLock { state in
            let remaining = state.pending[address, default: 1] - 1
            state.pending[address] = remaining > 0 ? remaining : nil
            state.pendingTotal = max(0, state.pendingTotal - 1)
        }
    }

    /// Admits a registration from `address`, or returns the refusal to send.
    func admitRegistration(address: String, now: ContinuousClock.Instant = .now) -> ProtocolError? {
        state.withLock { state -> ProtocolError? in
            guard let rule = limits.registrationsPerAddress, let wait = state.registrations.admit(address, now: now) else { return nil }
            return Refusal.rateLimited("registrations", scope: "from your address", rule: rule, retryAfter: wait)
        }
    }

    /// Forgets the buckets that have refilled (called by the reaper).
    func forgetIdle(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.connections.forgetIdle(now: now)
            state.registrations.forgetIdle(now: now)
        }
    }

    /// Connections in the handshake now (for tests).
    var pendingHandshakes: Int { state.withLock { $0.pendingTotal } }
}
