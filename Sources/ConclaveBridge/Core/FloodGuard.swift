import ConclaveIdentity

/// The bridge's defences against a token bonfire: an emit budget per channel (and per whisper
/// target), an inbound budget that protects the agent's context, and a ping-pong detector.
///
/// A pure value driven by the caller's clock (milliseconds), so tests replay any timeline.
struct FloodGuard: Sendable {
    /// What to do with an inbound channel message.
    enum Injection: Equatable {
        /// Inject it; `released` messages were held before it (say so once).
        case inject(released: Int)
        /// Hold it for `catch_up`; `firstHeld` on the first one of a spell (say so once).
        case hold(firstHeld: Bool)
    }

    var control: FloodControl
    private var emits: [String: [Int64]] = [:]
    private var injected: [Int64] = []
    private var heldSinceInjecting = 0
    private var conversations: [String: [(speaker: String, atMs: Int64)]] = [:]
    private var paused: [String: (untilMs: Int64, partner: String)] = [:]

    init(_ control: FloodControl) {
        self.control = control
    }

    // MARK: Emits

    /// Admits one message from this session to `target` (a channel, or `@user/machine/session`
    /// for a whisper), or explains why not and when it may try again.
    mutating func admitEmit(to target: String, label: String, nowMs: Int64) -> String? {
        if let pause = paused[target] {
            if nowMs < pause.untilMs {
                return "paused: you and `\(pause.partner)` have been answering each other in \(label) without anyone else; "
                    + "sending there resumes in \(Self.seconds(pause.untilMs - nowMs)) or when someone else speaks. "
                    + "Tell the human what you wanted to say instead."
            }
            paused[target] = nil
        }
        guard control.emitPerWindow > 0, control.emitWindowSeconds > 0 else { return nil }
        let windowMs = Int64(control.emitWindowSeconds) * 1000
        var times = emits[target, default: []].filter { $0 > nowMs - windowMs }
        if times.count >= control.emitPerWindow, let oldest = times.first {
            emits[target] = times
            return "emit budget reached: at most \(control.emitPerWindow) messages to \(label) per \(control.emitWindowSeconds) s; "
                + "the next one is possible in \(Self.seconds(oldest + windowMs - nowMs)). "
                + "The human can change `[flood] emit_per_window` in config.toml."
        }
        times.append(nowMs)
        emits[target] = times
        return nil
    }

    // MARK: Inbound

    /// Decides whether an inbound channel message is injected or held.
    mutating func admitInjection(nowMs: Int64) -> Injection {
        guard control.injectPerWindow > 0, control.injectWindowSeconds > 0 else { return .inject(released: 0) }
        let windowMs = Int64(control.injectWindowSeconds) * 1000
        injected.removeAll { $0 <= nowMs - windowMs }
        guard injected.count < control.injectPerWindow else {
            heldSinceInjecting += 1
            return .hold(firstHeld: heldSinceInjecting == 1)
        }
        injected.append(nowMs)
        defer { heldSinceInjecting = 0 }
        return .inject(released: heldSinceInjecting)
    }

    // MARK: Ping-pong

    /// Records a message in a conversation (`target` as for emits) and returns the partner's path
    /// when it completes a ping-pong loop: `pingPongTurns` messages alternating strictly between
    /// this session and one other within the window. The conversation is then paused for emits.
    mutating func record(speaker: String, isOwn: Bool, in target: String, nowMs: Int64) -> String? {
        if !isOwn, let pause = paused[target], pause.partner != speaker {
            // Someone else spoke: the two are no longer alone.
            paused[target] = nil
        }
        guard control.pingPongTurns >= 2 else { return nil }
        var turns = conversations[target, default: []]
        turns.append((isOwn ? Self.own : speaker, nowMs))
        if turns.count > control.pingPongTurns { turns.removeFirst(turns.count - control.pingPongTurns) }
        conversations[target] = turns
        guard turns.count == control.pingPongTurns,
            let first = turns.first, nowMs - first.atMs <= Int64(control.pingPongWindowSeconds) * 1000
        else { return nil }
        let others = Set(turns.map(\.speaker)).subtracting([Self.own])
        let alternating = zip(turns, turns.dropFirst()).allSatisfy { $0.speaker != $1.speaker }
        guard alternating, others.count == 1, let partner = others.first else { return nil }
        conversations[target] = []
        paused[target] = (nowMs + Int64(control.pingPongPauseSeconds) * 1000, partner)
        return partner
    }

    private static let own = "\u{0}self"

    private static func seconds(_ milliseconds: Int64) -> String {
        let seconds = max(1, (milliseconds + 999) / 1000)
        return seconds < 120 ? "\(seconds) s" : "\((seconds + 59) / 60) min"
    }
}
