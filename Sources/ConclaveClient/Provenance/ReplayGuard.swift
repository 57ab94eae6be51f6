public import ConclaveProtocol
import Synchronization

/// Refuses signed messages that are replays: a timestamp outside the window around now, or a
/// nonce already seen from the same sender within it.
///
/// Memory is bounded: at most ``capacity`` nonces are remembered, the oldest forgotten first; a
/// nonce is only needed while its timestamp is inside the window, since anything older is
/// refused by its timestamp alone.
public final class ReplayGuard: Sendable {
    /// Why a message was refused.
    public enum Refusal: Sendable, Hashable {
        /// Its timestamp is further than the window from now (a replay of an old message, or a
        /// clock far off).
        case outsideWindow(skewMs: Int64)
        /// The same sender already used this nonce.
        case replayed
    }

    private struct Seen: Hashable {
        let sender: SessionPath
        let nonce: [UInt8]
    }

    private struct State {
        var seen: [Seen: Int64] = [:]
        /// Insertion order, for forgetting the oldest first.
        var order: [Seen] = []
        var head = 0
    }

    /// How far a timestamp may be from now, either way.
    public let windowMs: Int64
    /// Most nonces remembered.
    public let capacity: Int
    private let state = Mutex(State())

    /// A guard with a window of `windowMs` either side of now, remembering at most `capacity`
    /// nonces.
    public init(windowMs: Int64 = 5 * 60 * 1000, capacity: Int = 100_000) {
        self.windowMs = windowMs
        self.capacity = max(1, capacity)
    }

    /// Records the message and returns `nil` if it is fresh, or why it is refused.
    public func admit(sender: SessionPath, timestampMs: Int64, nonce: [UInt8], nowMs: Int64) -> Refusal? {
        let skew = timestampMs &- nowMs
        guard skew.magnitude <= windowMs.magnitude else { return .outsideWindow(skewMs: skew) }
        let key = Seen(sender: sender, nonce: nonce)
        return state.withLock { state -> Refusal? in
            if state.seen[key] != nil { return .replayed }
            state.seen[key] = timestampMs
            state.order.append(key)
            while state.seen.count > capacity, state.head < state.order.count {
                state.seen[state.order[state.head]] = nil
                state.head += 1
            }
            // Compact the order list once its forgotten prefix is as long as what remains.
            if state.head > 0, state.head * 2 >= state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
            return nil
        }
    }
}
