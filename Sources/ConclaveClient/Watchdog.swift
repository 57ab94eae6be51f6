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
        /// Counts `arm`/`disarm` calls, so a change made while the runner was not waiting is seen.
        var changes = 0
        /// The runner, while it waits for a change.
        var waiter: CheckedContinuation<Void, Never>?
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
    /// It sleeps until the deadline or until the deadline changes, whichever is first: no
    /// polling, so an idle connection costs no wake-ups.
    func run(expire: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            let (deadline, seen, expired) = state.withLock { state -> (ContinuousClock.Instant?, Int, Bool) in
                guard let deadline = state.deadline else { return (nil, state.changes, false) }
                guard deadline <= .now else { return (deadline, state.changes, false) }
                state.fired = (state.phase, state.seconds)
                state.deadline = nil
                return (nil, state.changes, true)
            }
            if expired {
                await expire()
                return
            }
            await withTaskGroup(of: Void.self) { group in
                if let deadline {
                    group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                }
                group.addTask { await self.waitForChange(after: seen) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func change(_ body: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            body(&state)
            state.changes &+= 1
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once `arm` or `disarm` has been called since `seen` changes, or when cancelled.
    private func waitForChange(after seen: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.changes == seen, !Task.isCancelled else { return true }
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
