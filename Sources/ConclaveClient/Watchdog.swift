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
    }

    private let state = Mutex(State())
    private let url: String

    init(url: String) {
        self.url = url
    }

    /// Starts timing `phase`, replacing any previous deadline.
    func arm(_ duration: Duration, phase: String) {
        state.withLock {
            $0.deadline = .now + duration
            $0.phase = phase
            $0.seconds = Int(duration.components.seconds)
        }
    }

    /// Stops timing.
    func disarm() {
        state.withLock { $0.deadline = nil }
    }

    /// The timeout error, if the watchdog fired.
    var firedError: TransportError? {
        state.withLock { state in
            state.fired.map { TransportError.timedOut(url: url, phase: $0.phase, seconds: $0.seconds) }
        }
    }

    /// Runs until cancelled or until a deadline passes, in which case `expire` is called once.
    func run(expire: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            let expired = state.withLock { state -> Bool in
                guard let deadline = state.deadline, deadline <= .now else { return false }
                state.fired = (state.phase, state.seconds)
                state.deadline = nil
                return true
            }
            if expired {
                await expire()
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
