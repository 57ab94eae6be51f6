import ConclaveTransport
import Synchronization

/// Enforces a deadline on the current phase of a connection (the handshake, waiting for a reply)
/// by closing the connection when it passes. The reader then sees the connection end and reports
/// ``firedError`` instead of a plain "closed".
///
/// This avoids moving a connection's frame iterator into a separate task to time it out.
final class Watchdog: Sendable {
    private struct State {
        var deadline: ContinuousClock.Instant?
        var phase = ""
        var seconds = 0
        var fired: (phase: String, seconds: Int)?
        /// The deadline the runner sleeps until (`nil`: it waits for one to be set).
        var target: ContinuousClock.Instant?
        /// The runner, while it waits for a change.
        var waiter: CheckedContinuation<Void, Never>?

        /// Whether the runner must wake before its target: only for a deadline earlier than the
        /// one it sleeps until. A later deadline or a disarm waits for the runner's own wake-up,
        /// so the arm and disarm around every reply cost no task switch.
        var mustWake: Bool {
            guard let deadline else { return false }
            return target.map { deadline < $0 } ?? true
        }
    }

    private let state = Mutex(State())
    private let url: String

    init(url: String) {
        self.url = url
    }

    /// Starts timing `phase`, replacing any previous deadline.
    func arm(_ duration: Duration, phase: String) {
        change {
            $0.deadline = .now + duration
            $0.phase = phase
            $0.seconds = Int(duration.components.seconds)
        }
    }

    /// Stops timing.
    func disarm() {
        change { $0.deadline = nil }
    }

    /// The timeout error, if the watchdog fired.
    var firedError: TransportError? {
        state.withLock { state in
            state.fired.map { TransportError.timedOut(url: url, phase: $0.phase, seconds: $0.seconds) }
        }
    }

    /// Runs until cancelled or until a deadline passes, in which case `expire` is called once.
    ///
    /// It sleeps until the deadline, or until an earlier one is set: no polling, so an idle
    /// connection costs no wake-ups, and re-arming for every frame costs none either.
    func run(expire: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            let (deadline, expired) = state.withLock { state -> (ContinuousClock.Instant?, Bool) in
                if let deadline = state.deadline, deadline <= .now {
                    state.fired = (state.phase, state.seconds)
                    state.deadline = nil
                    return (nil, true)
                }
                state.target = state.deadline
                return (state.deadline, false)
            }
            if expired {
                await expire()
                return
            }
            await withTaskGroup(of: Void.self) { group in
                if let deadline {
                    group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                }
                group.addTask { await self.waitForEarlierDeadline() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func change(_ body: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            body(&state)
            guard state.mustWake else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once a deadline earlier than the runner's target is set, or when cancelled.
    private func waitForEarlierDeadline() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard !state.mustWake, !Task.isCancelled else { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
