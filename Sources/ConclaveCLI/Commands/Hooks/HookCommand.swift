import ArgumentParser
import ConclaveBridge
import ConclaveIdentity
import Foundation
import Logging

/// `conclave hook <event>`: run by Claude Code as a hook. It finds the spool of the bridge in the
/// same Claude Code session and hands pending messages to the model, in the hook's output format.
///
/// `conclave hook wait` is the background waiter (registered with `asyncRewake`): it waits for a
/// message that may wake the session, prints it on stderr and exits 2, which wakes an idle
/// session. It ends on its own when a newer waiter starts, when the session ends (the
/// `session-end` hook, or the Claude Code process is gone), or after `--timeout`.
struct HookCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Deliver pending Conclave messages to Claude Code from a hook (installed by `conclave setup claude`).",
        discussion: """
            Events: \(HookEvent.allCases.map(\.rawValue).joined(separator: ", ")). The hook's JSON is read \
            from stdin; the session's bridge is found through CLAUDE_PID (the Claude Code process), or \
            else through the JSON's session_id. With no bridge delivering by hooks in this session, the \
            hook prints nothing and exits 0.
            """
    )

    @Argument(help: ArgumentHelp("The hook event.", valueName: "event"), transform: { text in
        guard let event = HookEvent(rawValue: text) else {
            throw ValidationError("unknown hook event `\(text)` (expected one of: \(HookEvent.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return event
    })
    var event: HookEvent

    @Option(help: ArgumentHelp("How long `wait` waits before ending quietly, in seconds.", valueName: "seconds"))
    var timeout: Int = 8 * 3600

    @OptionGroup var global: GlobalOptions

    /// Hook input beyond this is read and discarded (a `PostToolUse` input holds the tool's
    /// whole output); only `session_id` is needed from it.
    static let inputLimit = 1 << 20

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        let logger = Logger(label: "conclave.hook")
        let input = Self.readInput()
        let environment = ProcessInfo.processInfo.environment
        let directory = try global.directory()
        let clientPID = environment["CLAUDE_PID"].flatMap { Int32($0) }
        let sessionID = input?["session_id"]?.stringValue ?? environment["CLAUDE_CODE_SESSION_ID"]
        if event == .wait, let clientPID, DeliverySpool.isAlive(clientPID) {
            // `SessionStart` hooks may run before Claude Code starts the bridge.
            try DeliverySpool(directory: directory, clientPID: clientPID).prepare(clientPID: clientPID)
        }
        guard let spool = DeliverySpool.find(directory, clientPID: clientPID, sessionID: sessionID) else {
            logger.debug("no bridge delivers by hooks in this session", metadata: ["event": "\(event.rawValue)"])
            return
        }
        let limit = HookResponder.continuationLimit(environment: environment)
        let reply: HookResponder.Reply
        if event == .wait {
            reply = try await Self.wait(on: spool, timeout: .seconds(timeout), limit: limit)
        } else {
            let context = HookResponder.Context(nowMs: BridgeCore.currentTimeMs(), prompt: input?["prompt"]?.stringValue, limit: limit)
            reply = try spool.update { HookResponder.respond(to: event, state: &$0, context: context) }
        }
        if let stdout = reply.stdout { try Output.line(stdout) }
        if let stderr = reply.stderr { FileHandle.standardError.write(Data((stderr + "\n").utf8)) }
        logger.debug("hook answered", metadata: ["event": "\(event.rawValue)", "status": "\(reply.status)"])
        if reply.status != 0 { throw ExitCode(reply.status) }
    }

    /// How long the waiter goes on without a live bridge: none attached yet (the session's
    /// bridge delivers by channel, or is starting), or the one attached is gone (Claude Code
    /// stops its MCP servers when the session ends, then waits for background hooks).
    static let bridgeGrace: Duration = .seconds(60)
    static let bridgeGoneGrace: Duration = .seconds(2)
    /// How often the waiter looks at the spool: a read of a small file, so cheap enough to keep
    /// a wake's added latency near 25 ms on average (200 ms cost 100 ms; see Docs/BENCHMARKS.md).
    static let pollInterval: Duration = .milliseconds(50)

    /// Polls the spool until a message may wake the session, or the waiter should end.
    static func wait(on spool: DeliverySpool, timeout: Duration, limit: Int) async throws -> HookResponder.Reply {
        let generation = try spool.update { HookResponder.arm(state: &$0) }
        let start = ContinuousClock.now
        let deadline = start + timeout
        var bridgeSeen = start
        while ContinuousClock.now < deadline {
            // A cheap look without the lock first; the lock only to confirm and take.
            guard let state = spool.snapshot(), state.waiter == generation else { return .silent }
            if state.clientPID > 0, !DeliverySpool.isAlive(state.clientPID) { return .silent }
            if DeliverySpool.isAlive(state.bridgePID) {
                bridgeSeen = ContinuousClock.now
            } else if ContinuousClock.now - bridgeSeen > (state.bridgePID == 0 ? bridgeGrace : bridgeGoneGrace) {
                return .silent
            }
            if state.pending.contains(where: \.expectsAnswer) || !state.offered.isEmpty, !state.busy, state.continuations < limit {
                let context = HookResponder.Context(nowMs: BridgeCore.currentTimeMs(), limit: limit)
                let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
                switch try spool.update({ HookResponder.check(generation: generation, state: &$0, context: context, token: token) }) {
                case let .wake(reply): return reply
                case .superseded: return .silent
                case .keepWaiting: break
                }
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        return .silent
    }

    /// The hook's JSON input, when stdin holds one within the limit; stdin is always read to
    /// its end, so Claude Code never blocks writing it.
    static func readInput() -> JSONValue? {
        var kept = Data()
        var overflow = false
        while let chunk = try? FileHandle.standardInput.read(upToCount: 64 * 1024), !chunk.isEmpty {
            if kept.count + chunk.count <= inputLimit {
                kept.append(chunk)
            } else {
                overflow = true
            }
        }
        return overflow ? nil : JSONValue(parsing: kept)
    }
}
