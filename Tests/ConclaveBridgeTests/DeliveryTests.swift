@testable import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Synchronization
import Testing

/// An in-memory spool for the core.
final class MemorySink: InboundSink {
    private let stored = Mutex<SpoolState>(SpoolState())
    var messages: [InboundMessage] { stored.withLock { $0.pending } }
    func accept(_ message: InboundMessage) throws { stored.withLock { $0.append(message) } }
    func takeInjected() throws -> [InboundReceipt] { stored.withLock { state in defer { state.injected = [] }; return state.injected } }
    /// What a hook does: takes everything pending.
    func drain() -> [InboundMessage] { stored.withLock { $0.drain().messages } }
}

@Suite("delivery by hooks: the core's side")
struct HookDeliveryCoreTests {
    let david = SessionPath(user: "david", machine: "desktop", session: "main")

    @Test func withHooksMessagesGoToTheSpoolAndAreNeverAlsoPushed() async throws {
        let sink = MemorySink()
        var config = ClientConfig(defaultPermission: .converse)
        config.setPermission(.mute, server: try ServerURL(CoreHarness.server), scope: .channel("quiet"))
        let harness = CoreHarness(config: config, inbound: sink)
        await harness.initialize()
        await harness.up()
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("hello")))
        await harness.reply(.whisper(from: david, target: CoreHarness.ownPath, payload: .plain("psst")))
        await harness.reply(.channelMessage(channel: "quiet", from: david, payload: .plain("muted")))
        #expect(Captured.notifications("notifications/claude/channel", in: harness.output.take()).isEmpty, "pulled, so not pushed")
        #expect(sink.messages.map(\.body) == ["hello", "psst"], "mute keeps a message out of the spool too")
        #expect(sink.messages.map(\.kind) == [.channel, .whisper])
        #expect(sink.messages.allSatisfy { $0.level == .converse && $0.from == "david/desktop/main" && $0.server == CoreHarness.server })
    }

    @Test func aSpoolThatCannotBeWrittenFallsBackToPush() async {
        struct Broken: InboundSink {
            func accept(_ message: InboundMessage) throws { throw CocoaError(.fileWriteNoPermission) }
            func takeInjected() throws -> [InboundReceipt] { [] }
        }
        let harness = CoreHarness(inbound: Broken())
        await harness.initialize()
        await harness.up()
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("hello")))
        #expect(Captured.notifications("notifications/claude/channel", in: harness.output.take()).count == 1)
    }
}

@Suite("delivery by hooks: spool and hook replies")
struct HookResponderTests {
    func message(_ body: String, kind: InboundMessage.Kind = .channel, level: PermissionLevel? = .converse, id: String = "m0") -> InboundMessage {
        InboundMessage(id: id, kind: kind, server: "wss://s1", channel: kind == .channel ? "ops" : nil, from: "david/desktop/main", body: body, level: level, atMs: 0)
    }

    let now = HookResponder.Context(nowMs: 1_000_000)

    func respond(_ event: HookEvent, _ state: inout SpoolState, prompt: String? = nil, atMs: Int64 = 1_000_000) -> HookResponder.Reply {
        HookResponder.respond(to: event, state: &state, context: HookResponder.Context(nowMs: atMs, prompt: prompt))
    }

    func check(_ generation: Int, _ state: inout SpoolState, token: String = "tok", atMs: Int64 = 1_000_000) -> HookResponder.WaitStep {
        HookResponder.check(generation: generation, state: &state, context: HookResponder.Context(nowMs: atMs), token: token)
    }

    /// Wakes, then plays the rewake turn's prompt (which carries the batch's text) and its Stop.
    func wakeAndConfirm(_ generation: Int, _ state: inout SpoolState, token: String) -> HookResponder.Reply? {
        guard case let .wake(reply) = check(generation, &state, token: token) else { return nil }
        _ = respond(.userPromptSubmit, &state, prompt: "Stop hook blocking error: \(reply.stderr ?? "")")
        _ = respond(.stop, &state)
        return reply
    }

    @Test func aPromptHookDrainsEverythingOnceAsAdditionalContext() throws {
        var state = SpoolState()
        state.append(message("one", id: "m1"))
        state.append(message("two", kind: .whisper, level: .notify, id: "m2"))
        let reply = respond(.userPromptSubmit, &state, prompt: "hello")
        let json = try #require(reply.stdout.flatMap { JSONValue(parsing: Data($0.utf8)) })
        #expect(json["hookSpecificOutput"]?["hookEventName"] == "UserPromptSubmit")
        let context = try #require(json["hookSpecificOutput"]?["additionalContext"]?.stringValue)
        #expect(context.contains(">\none\n</channel>") && context.contains(">\ntwo\n</channel>"))
        #expect(context.contains("id=\"m1\"") && context.contains("id=\"m2\""))
        #expect(state.pending.isEmpty)
        #expect(respond(.postToolUse, &state) == .silent, "each message once")
    }

    @Test func stopContinuesOnlyForMessagesThatExpectAnAnswerAndOnlySoManyTimes() throws {
        var state = SpoolState()
        state.append(message("fyi", level: .notify))
        #expect(respond(.stop, &state) == .silent, "notify: shown later, no reply expected")
        #expect(state.pending.count == 1)
        _ = respond(.userPromptSubmit, &state, prompt: "go")
        for round in 1...HookResponder.defaultContinuationLimit {
            state.append(message("question \(round)"))
            let reply = respond(.stop, &state)
            let json = try #require(reply.stdout.flatMap { JSONValue(parsing: Data($0.utf8)) })
            #expect(json["decision"] == "block")
            #expect(json["reason"]?.stringValue?.contains("question \(round)") == true)
            #expect(state.pending.isEmpty)
        }
        state.append(message("one more"))
        #expect(respond(.stop, &state) == .silent, "the streak is capped")
        #expect(state.pending.count == 1, "kept for the next prompt")
        _ = respond(.userPromptSubmit, &state, prompt: "next")
        state.append(message("after a prompt"))
        #expect(respond(.stop, &state).stdout != nil, "a prompt resets the streak")
    }

    @Test func aWakeIsOnlyOfferedUntilTheRewakeTurnConfirmsIt() throws {
        var state = SpoolState()
        let generation = HookResponder.arm(state: &state)
        state.append(message("fyi", level: .notify))
        #expect(check(generation, &state) == .keepWaiting, "notify does not wake")
        state.append(message("please answer", kind: .whisper))
        guard case let .wake(reply) = check(generation, &state, token: "b7") else {
            Issue.record("expected a wake")
            return
        }
        #expect(reply.status == 2 && reply.stdout == nil)
        let text = try #require(reply.stderr)
        #expect(text.contains("please answer") && text.contains("fyi") && text.contains("b7"))
        #expect(state.pending.isEmpty && state.offered.count == 2)
        // The rewake turn's prompt carries the batch: confirmed, nothing shown twice, and it
        // does not count as the human's prompt.
        #expect(respond(.userPromptSubmit, &state, prompt: "Stop hook blocking error: \(text)") == .silent)
        #expect(state.offered.isEmpty && state.continuations == 1)
    }

    @Test func anIgnoredWakeIsShownByTheNextHookAndNothingIsLost() throws {
        var state = SpoolState()
        let generation = HookResponder.arm(state: &state)
        state.append(message("lost wake", kind: .whisper))
        guard case .wake = check(generation, &state, token: "t1") else {
            Issue.record("expected a wake")
            return
        }
        // A prompt that races the wake does not show it again at once...
        #expect(respond(.userPromptSubmit, &state, prompt: "typed by the human", atMs: 1_001_000) == .silent)
        #expect(state.offered.count == 1)
        // ...but once the grace is over, the next hook shows it.
        let later = respond(.postToolUse, &state, atMs: 1_000_000 + HookResponder.offerGraceMs)
        #expect(later.stdout?.contains("lost wake") == true)
        #expect(state.offered.isEmpty && state.pending.isEmpty)
    }

    @Test func aBusySessionIsNotWokenItsOwnHooksDeliver() {
        var state = SpoolState()
        let generation = HookResponder.arm(state: &state)
        _ = respond(.userPromptSubmit, &state, prompt: "work")
        state.append(message("during the turn"))
        #expect(check(generation, &state) == .keepWaiting, "busy")
        #expect(respond(.postToolUse, &state).stdout?.contains("during the turn") == true)
        _ = respond(.stop, &state)
        state.append(message("after the turn"))
        guard case .wake = check(generation, &state) else {
            Issue.record("idle again: wakes")
            return
        }
    }

    @Test func wakesAndStopBlocksShareClaudeCodesCapSoNoDrainedMessageIsIgnored() {
        #expect(HookResponder.continuationLimit(environment: [:]) == 7)
        #expect(HookResponder.continuationLimit(environment: ["CLAUDE_CODE_STOP_HOOK_BLOCK_CAP": "100"]) == 99)
        #expect(HookResponder.continuationLimit(environment: ["CLAUDE_CODE_STOP_HOOK_BLOCK_CAP": "junk"]) == 7)
        var state = SpoolState()
        let generation = HookResponder.arm(state: &state)
        for round in 1...6 {
            state.append(message("wake \(round)"))
            #expect(wakeAndConfirm(generation, &state, token: "w\(round)") != nil, "wake \(round)")
        }
        _ = respond(.userPromptSubmit, &state, prompt: "Stop hook blocking error")  // not a batch: the human's
        #expect(state.continuations == 0)
        _ = respond(.stop, &state)
        for round in 1...7 {
            state.append(message("again \(round)"))
            #expect(wakeAndConfirm(generation, &state, token: "a\(round)") != nil)
        }
        state.append(message("one too many"))
        #expect(check(generation, &state) == .keepWaiting)
        #expect(respond(.stop, &state) == .silent)
        #expect(state.pending.map(\.body) == ["one too many"], "kept for the next prompt, not drained into the void")
        #expect(respond(.userPromptSubmit, &state, prompt: "hi").stdout?.contains("one too many") == true)
    }

    @Test func aNewerWaiterOrTheSessionsEndRetiresAWaiter() {
        var state = SpoolState()
        let first = HookResponder.arm(state: &state)
        let second = HookResponder.arm(state: &state)
        #expect(check(first, &state) == .superseded)
        _ = respond(.sessionEnd, &state)
        #expect(check(second, &state) == .superseded)
    }

    @Test func theSpoolIsBoundedDroppingChannelMessagesFirst() {
        var state = SpoolState()
        state.append(message("secret", kind: .whisper))
        for index in 0..<SpoolState.messageLimit { state.append(message("c\(index)")) }
        #expect(state.pending.count == SpoolState.messageLimit)
        #expect(state.pending.first?.body == "secret", "a whisper has no history to recover it from")
        #expect(state.dropped == 1 && state.pending[1].body == "c1")
        var big = SpoolState()
        let body = String(repeating: "x", count: 200 * 1024)
        for _ in 0..<4 { big.append(message(body)) }
        #expect(big.pending.count == 2 && big.dropped == 2)
        let reply = respond(.sessionStart, &big)
        #expect(reply.stdout?.contains("2 older message(s) were dropped") == true)
    }

    @Test func theSpoolFileRoundTripsAndAForeignFileStartsAfresh() {
        var state = SpoolState()
        state.append(message("a \"quoted\" body\n"))
        state.append(message("offered"))
        _ = state.offer(token: "t", nowMs: 5)
        state.append(message("pending"))
        state.waiter = 4
        state.busy = true
        state.sessionID = "s-1"
        #expect(SpoolState(decoding: state.encoded) == state)
        #expect(SpoolState(decoding: Array("not json".utf8)) == nil)
        #expect(SpoolState(decoding: Array(#"{"v":2,"pending":[]}"#.utf8)) == nil)
    }
}

@Suite("delivery by hooks: the spool on disk")
struct DeliverySpoolTests {
    func directory() -> ConfigDirectory {
        ConfigDirectory(path: NSTemporaryDirectory() + "conclave-spool-\(UInt32.random(in: 0...UInt32.max))")
    }

    @Test func aRestartedBridgeKeepsPendingMessagesAndFilesArePrivate() throws {
        let directory = directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let me = getpid()
        let spool = DeliverySpool(directory: directory, clientPID: me)
        try spool.attach(bridgePID: 11, clientPID: me, sessionID: "s-1")
        try spool.accept(InboundMessage(id: "", kind: .whisper, server: "s", from: "a/b/c", body: "hi", level: .act, atMs: 0))
        try spool.attach(bridgePID: 12, clientPID: me, sessionID: "s-1")
        #expect(spool.snapshot()?.pending.map(\.body) == ["hi"])
        #expect(spool.snapshot()?.bridgePID == 12)
        let fileMode = try FileManager.default.attributesOfItem(atPath: spool.file.path)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: (spool.file.path as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
        #expect(fileMode == 0o600 && directoryMode == 0o700)
        #expect(DeliverySpool.find(directory, clientPID: me, sessionID: nil)?.file.path == spool.file.path)
        #expect(DeliverySpool.find(directory, clientPID: nil, sessionID: "s-1")?.file.path == spool.file.path)
        #expect(DeliverySpool.find(directory, clientPID: nil, sessionID: "other") == nil)
    }

    @Test func aSpoolLeftByAnotherProcessWithTheSamePIDIsEmptied() throws {
        let directory = directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let me = getpid()
        let spool = DeliverySpool(directory: directory, clientPID: me)
        try spool.attach(bridgePID: 11, clientPID: me, sessionID: nil)
        try spool.update { state in
            state.append(InboundMessage(id: "", kind: .whisper, server: "s", from: "a/b/c", body: "stale", level: .act, atMs: 0))
            state.clientStart = "1"
        }
        try spool.attach(bridgePID: 12, clientPID: me, sessionID: nil)
        #expect(spool.snapshot()?.pending.isEmpty == true)
    }

    @Test func theSweepRemovesSpoolsOfProcessesThatAreGone() throws {
        let directory = directory()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let gone = DeliverySpool(directory: directory, clientPID: Int32.max - 1)
        try gone.file.createDirectory()
        try gone.update { $0.clientPID = Int32.max - 1 }
        let mine = DeliverySpool(directory: directory, clientPID: getpid())
        try mine.attach(bridgePID: 1, clientPID: getpid(), sessionID: nil)
        DeliverySpool.sweep(directory)
        #expect(gone.snapshot() == nil && mine.snapshot() != nil)
        #expect(!FileManager.default.fileExists(atPath: (gone.file.path as NSString).deletingLastPathComponent))
    }
}
