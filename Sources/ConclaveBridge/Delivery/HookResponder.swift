/// What `conclave hook` answers for each event, as a pure function of the spool's state: the
/// command takes the spool's lock, calls this, writes the state back and prints the reply.
public enum HookResponder {
    /// What the hook process prints and how it exits.
    public struct Reply: Sendable, Hashable {
        /// Written to stdout (Claude Code's hook JSON), if anything.
        public var stdout: String?
        /// Written to stderr (handed to the model by an `asyncRewake` exit 2), if anything.
        public var stderr: String?
        /// The exit status: 0, or 2 for a waiter that wakes the session.
        public var status: Int32

        /// Nothing to say.
        public static let silent = Reply(stdout: nil, stderr: nil, status: 0)
    }

    /// One step of the background waiter.
    public enum WaitStep: Sendable, Hashable {
        /// Nothing that may wake the session yet.
        case keepWaiting
        /// A newer waiter (or the session's end) took over: exit quietly.
        case superseded
        /// Wake the session with these messages (stderr, exit 2).
        case wake(Reply)
    }

    /// Claude Code's own cap on consecutive Stop-hook blocks without a prompt (a waiter's wake
    /// counts as one); past it, a block or a wake is ignored.
    public static let claudeBlockCap = 8

    /// How many turns the hooks may start without the human: one below Claude Code's cap
    /// (`CLAUDE_CODE_STOP_HOOK_BLOCK_CAP` when set), so every message a hook drains is shown.
    /// Beyond it, messages wait for the next prompt.
    public static func continuationLimit(environment: [String: String]) -> Int {
        let cap = environment["CLAUDE_CODE_STOP_HOOK_BLOCK_CAP"].flatMap { Int($0) }.map { max($0, 1) } ?? claudeBlockCap
        return max(cap - 1, 0)
    }

    /// The limit with Claude Code's default cap.
    public static let defaultContinuationLimit = claudeBlockCap - 1

    /// How long an offered batch may wait for its rewake turn before the next hook shows it
    /// itself (Claude Code ignored the wake, or a prompt raced it).
    public static let offerGraceMs: Int64 = 5_000

    /// What a hook knows besides the spool: the time, and a prompt's text (`UserPromptSubmit`).
    public struct Context: Sendable {
        public var nowMs: Int64
        public var prompt: String?
        public var limit: Int

        /// A context.
        public init(nowMs: Int64, prompt: String? = nil, limit: Int = HookResponder.defaultContinuationLimit) {
            self.nowMs = nowMs
            self.prompt = prompt
            self.limit = limit
        }
    }

    /// The reply to a synchronous hook event; drains what the event may show.
    public static func respond(to event: HookEvent, state: inout SpoolState, context: Context) -> Reply {
        switch event {
        case .sessionStart, .userPromptSubmit, .postToolUse:
            settleOffer(event: event, state: &state, context: context)
            if event != .postToolUse { state.busy = event == .userPromptSubmit }
            guard !state.pending.isEmpty || state.dropped > 0 else { return .silent }
            let (messages, dropped) = state.drain()
            let output: JSONValue = [
                "hookSpecificOutput": [
                    "hookEventName": .string(event.claudeName),
                    "additionalContext": .string(ChannelFraming.pulled(messages, dropped: dropped)),
                ],
            ]
            return Reply(stdout: output.serialized(), stderr: nil, status: 0)
        case .stop:
            settleOffer(event: event, state: &state, context: context)
            guard state.pending.contains(where: \.expectsAnswer), state.continuations < context.limit else {
                state.busy = false
                return .silent
            }
            state.continuations += 1
            let (messages, dropped) = state.drain()
            let output: JSONValue = [
                "decision": "block",
                "reason": .string(ChannelFraming.pulled(messages, dropped: dropped)),
            ]
            return Reply(stdout: output.serialized(), stderr: nil, status: 0)
        case .sessionEnd:
            state.waiter += 1
            return .silent
        case .wait:
            return .silent
        }
    }

    /// Decides what became of the last wake's batch. A prompt that carries its token is the
    /// rewake turn: the batch reached the model, and the turn does not count as the human's. Any
    /// other prompt is the human's, and resets the count of turns started without them. A batch
    /// still unconfirmed after ``offerGraceMs`` was ignored by Claude Code and is shown again.
    static func settleOffer(event: HookEvent, state: inout SpoolState, context: Context) {
        var rewake = false
        if let token = state.offerToken, !state.offered.isEmpty {
            if event == .userPromptSubmit, context.prompt?.contains(token) == true {
                state.confirmOffer()
                rewake = true
            } else if context.nowMs - state.offeredAtMs >= offerGraceMs {
                state.withdrawOffer()
            }
        }
        if event == .sessionStart || (event == .userPromptSubmit && !rewake) { state.continuations = 0 }
    }

    /// Registers a new waiter; older ones see the new generation and end.
    public static func arm(state: inout SpoolState) -> Int {
        state.waiter += 1
        return state.waiter
    }

    /// One look at the spool by waiter `generation`: wakes an idle session for a message that
    /// may be answered. The batch is only offered; the rewake turn's prompt confirms it.
    public static func check(generation: Int, state: inout SpoolState, context: Context, token: String) -> WaitStep {
        guard state.waiter == generation else { return .superseded }
        if !state.offered.isEmpty, context.nowMs - state.offeredAtMs >= offerGraceMs { state.withdrawOffer() }
        guard !state.busy, state.offered.isEmpty, state.pending.contains(where: \.expectsAnswer), state.continuations < context.limit
        else { return .keepWaiting }
        state.continuations += 1
        let (messages, dropped) = state.offer(token: token, nowMs: context.nowMs)
        let text = ChannelFraming.pulled(messages, dropped: dropped) + "\n(conclave batch \(token))"
        return .wake(Reply(stdout: nil, stderr: text, status: 2))
    }
}
