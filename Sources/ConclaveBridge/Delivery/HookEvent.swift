/// The Claude Code hook events `conclave hook` answers, named as on its command line.
public enum HookEvent: String, Sendable, Hashable, CaseIterable {
    /// `SessionStart`: pending messages become context for the first model call.
    case sessionStart = "session-start"
    /// `UserPromptSubmit`: pending messages join the prompt as context.
    case userPromptSubmit = "user-prompt-submit"
    /// `PostToolUse`: pending messages reach the model between tool calls.
    case postToolUse = "post-tool-use"
    /// `Stop`: a message that expects an answer keeps the agent going for another turn.
    case stop
    /// `SessionEnd`: ends the background waiter, so Claude Code does not wait for it.
    case sessionEnd = "session-end"
    /// The background waiter (`asyncRewake`): wakes an idle session when a message arrives.
    case wait

    /// Claude Code's name for the event (`hookEventName`).
    public var claudeName: String {
        switch self {
        case .sessionStart: "SessionStart"
        case .userPromptSubmit: "UserPromptSubmit"
        case .postToolUse: "PostToolUse"
        case .stop: "Stop"
        case .sessionEnd: "SessionEnd"
        case .wait: "Stop"
        }
    }
}
