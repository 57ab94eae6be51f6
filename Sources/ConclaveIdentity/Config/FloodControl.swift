/// The bridge's flood and loop control, from the `[flood]` table of `config.toml`.
///
/// Every threshold is per bridge (one agent session); 0 switches that check off. The defaults let
/// ordinary conversation through untouched and stop machine-speed loops within a minute or two.
public struct FloodControl: Sendable, Hashable {
    /// Messages this session may send to one channel (or whisper to one session) per window.
    public var emitPerWindow = 20
    /// The emit window, in seconds.
    public var emitWindowSeconds = 60
    /// Channel messages injected into the session per window; beyond it they are held for
    /// `catch_up`.
    public var injectPerWindow = 40
    /// The inbound window, in seconds.
    public var injectWindowSeconds = 60
    /// Consecutive messages alternating between this session and one other, with nobody else in
    /// between, that count as a ping-pong loop.
    public var pingPongTurns = 16
    /// The loop must happen within this many seconds to count (machine speed, not a chat).
    public var pingPongWindowSeconds = 180
    /// How long this session's messages to that channel or session are paused after a loop.
    public var pingPongPauseSeconds = 300

    /// The defaults.
    public init() {}

    /// The TOML keys, in file order, with their values.
    var entries: [(key: String, value: Int)] {
        [
            ("emit_per_window", emitPerWindow), ("emit_window_secs", emitWindowSeconds),
            ("inject_per_window", injectPerWindow), ("inject_window_secs", injectWindowSeconds),
            ("pingpong_turns", pingPongTurns), ("pingpong_window_secs", pingPongWindowSeconds),
            ("pingpong_pause_secs", pingPongPauseSeconds),
        ]
    }

    /// Sets the value of a TOML key; `false` for an unknown key.
    mutating func set(_ key: String, _ value: Int) -> Bool {
        switch key {
        case "emit_per_window": emitPerWindow = value
        case "emit_window_secs": emitWindowSeconds = value
        case "inject_per_window": injectPerWindow = value
        case "inject_window_secs": injectWindowSeconds = value
        case "pingpong_turns": pingPongTurns = value
        case "pingpong_window_secs": pingPongWindowSeconds = value
        case "pingpong_pause_secs": pingPongPauseSeconds = value
        default: return false
        }
        return true
    }
}
