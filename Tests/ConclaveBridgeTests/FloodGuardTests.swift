@testable import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Testing

@Suite("Flood and loop control: the budgets themselves")
struct FloodGuardTests {
    func control(_ configure: (inout FloodControl) -> Void) -> FloodControl {
        var control = FloodControl()
        configure(&control)
        return control
    }

    @Test func theEmitBudgetIsPerTargetAndSlides() {
        var guardrail = FloodGuard(control {
            $0.emitPerWindow = 3
            $0.emitWindowSeconds = 10
        })
        var refusals: [String?] = []
        for second in 0..<4 { refusals.append(guardrail.admitEmit(to: "ops", label: "#ops", nowMs: Int64(second) * 1000)) }
        #expect(refusals.prefix(3).allSatisfy { $0 == nil })
        #expect(refusals[3]?.hasPrefix("emit budget reached: at most 3 messages to #ops per 10 s; the next one is possible in 7 s") == true)
        // Another channel has its own budget; the first frees up as its oldest message ages out.
        let other = guardrail.admitEmit(to: "dev", label: "#dev", nowMs: 3_000)
        let later = guardrail.admitEmit(to: "ops", label: "#ops", nowMs: 10_001)
        #expect(other == nil && later == nil)
    }

    @Test func inboundMessagesBeyondTheBudgetAreHeldAndCountedOnce() {
        var guardrail = FloodGuard(control {
            $0.injectPerWindow = 2
            $0.injectWindowSeconds = 60
        })
        var decisions: [FloodGuard.Injection] = []
        for _ in 0..<5 { decisions.append(guardrail.admitInjection(nowMs: 1_000)) }
        #expect(decisions == [.inject(released: 0), .inject(released: 0), .hold(firstHeld: true), .hold(firstHeld: false), .hold(firstHeld: false)])
        // A minute later the budget is back, and the first injection says how many were held.
        let resumed = [guardrail.admitInjection(nowMs: 62_000), guardrail.admitInjection(nowMs: 62_000)]
        #expect(resumed == [.inject(released: 3), .inject(released: 0)])
    }

    @Test func twoSessionsAnsweringEachOtherArePausedAndAThirdVoiceResumes() {
        var guardrail = FloodGuard(control {
            $0.pingPongTurns = 6
            $0.pingPongWindowSeconds = 60
            $0.pingPongPauseSeconds = 300
        })
        var partner: String?
        for turn in 0..<6 {
            partner = guardrail.record(speaker: turn.isMultiple(of: 2) ? "me" : "bob/m/s", isOwn: turn.isMultiple(of: 2), in: "ops", nowMs: Int64(turn) * 1000)
            if turn < 5 { #expect(partner == nil, "turn \(turn)") }
        }
        #expect(partner == "bob/m/s")
        let paused = guardrail.admitEmit(to: "ops", label: "#ops", nowMs: 6_000)
        #expect(paused?.hasPrefix("paused: you and `bob/m/s` have been answering each other in #ops") == true)
        // Another voice in the channel ends the pause.
        _ = guardrail.record(speaker: "carol/m/s", isOwn: false, in: "ops", nowMs: 7_000)
        #expect(guardrail.admitEmit(to: "ops", label: "#ops", nowMs: 7_000) == nil)
    }

    @Test func conversationsWithOthersInBetweenOrAtHumanPaceAreNotLoops() {
        var guardrail = FloodGuard(control {
            $0.pingPongTurns = 4
            $0.pingPongWindowSeconds = 60
        })
        // A third speaker in the sequence.
        let speakers = ["me", "bob", "carol", "me", "bob", "me", "carol", "bob"]
        for (index, speaker) in speakers.enumerated() {
            #expect(guardrail.record(speaker: speaker, isOwn: speaker == "me", in: "ops", nowMs: Int64(index) * 1000) == nil)
        }
        // Strict alternation, but one message a minute.
        for turn in 0..<8 {
            let own = turn.isMultiple(of: 2)
            #expect(guardrail.record(speaker: own ? "me" : "bob", isOwn: own, in: "slow", nowMs: Int64(turn) * 60_000) == nil)
        }
        // Switched off.
        var off = FloodGuard(control { $0.pingPongTurns = 0; $0.emitPerWindow = 0; $0.injectPerWindow = 0 })
        for turn in 0..<50 {
            let own = turn.isMultiple(of: 2)
            #expect(off.record(speaker: own ? "me" : "bob", isOwn: own, in: "ops", nowMs: 0) == nil)
            #expect(off.admitEmit(to: "ops", label: "#ops", nowMs: 0) == nil)
            #expect(off.admitInjection(nowMs: 0) == .inject(released: 0))
        }
    }
}

@Suite("Flood and loop control in the bridge")
struct BridgeFloodTests {
    let david = SessionPath(user: "david", machine: "desktop", session: "main")

    func harness(_ configure: (inout FloodControl) -> Void) -> CoreHarness {
        var config = ClientConfig(defaultPermission: .converse)
        configure(&config.flood)
        return CoreHarness(config: config)
    }

    @Test func sendsBeyondTheEmitBudgetFailWithAnExplanation() async {
        let harness = harness { $0.emitPerWindow = 2 }
        await harness.initialize()
        await harness.up()
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("hi")))
        _ = harness.output.take()
        for id in Int64(1)...2 {
            await harness.call(id, "send_channel", ["channel": "ops", "text": .string("reply \(id)")])
            await harness.reply(.ack(detail: nil))
        }
        #expect(harness.link.take().count == 2)
        await harness.call(3, "send_channel", ["channel": "ops", "text": "one more"])
        let refused = Captured.result(3, in: harness.output.take())
        #expect(refused?.isError == true)
        #expect(refused?.text.hasPrefix("emit budget reached: at most 2 messages to #ops per 60 s") == true)
        #expect(harness.link.take().isEmpty)
    }

    @Test func aFloodOfInboundMessagesIsHeldForCatchUp() async {
        let harness = harness { $0.injectPerWindow = 3 }
        await harness.initialize()
        await harness.up()
        for index in 0..<10 {
            await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("spam \(index)")))
        }
        let notifications = Captured.notifications("notifications/claude/channel", in: harness.output.take())
        let contents = notifications.compactMap { $0["params"]?["content"]?.stringValue }
        // Three injected, then one notice, then silence.
        #expect(contents.count == 4)
        #expect(contents.prefix(3).allSatisfy { $0.contains("spam") })
        #expect(contents.last?.hasPrefix("Inbound budget reached (3 messages per 60 s)") == true)
        // catch_up starts before the held messages (from the last injected one, minus slack).
        await harness.call(1, "catch_up", ["channel": "ops"])
        guard case let .readSince(_, since)? = harness.link.take().first else { Issue.record("expected ReadSince"); return }
        // From a minute before the last injected message (the clock is frozen at 1e9 ms).
        #expect(since == 1_000_000_000 - 60_000)
        // The held messages come back, and the injected ones are not repeated.
        let messages = (0..<10).map { HistoryMessage(from: david, tsMs: 999_999_000 + Int64($0), payload: .plain("spam \($0)")) }
        await harness.reply(.history(channel: "ops", messages: messages))
        let text = Captured.result(1, in: harness.output.take())?.text ?? ""
        for index in 3..<10 { #expect(text.contains("spam \(index)"), "held message \(index)") }
        for index in 0..<3 { #expect(!text.contains("spam \(index)"), "shown live: \(index)") }
    }

    @Test func aPingPongLoopPausesEmitsAndTellsTheHuman() async {
        let harness = harness { $0.pingPongTurns = 6 }
        await harness.initialize()
        await harness.up()
        for turn in Int64(0)..<2 {
            await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("ping \(turn)")))
            await harness.call(turn, "send_channel", ["channel": "ops", "text": .string("pong \(turn)")])
            await harness.reply(.ack(detail: nil))
        }
        #expect(harness.link.take().count == 2)
        _ = harness.output.take()
        // The sixth alternating message would be ours: it is held back, and the human is told.
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("ping 2")))
        await harness.call(2, "send_channel", ["channel": "ops", "text": "pong 2"])
        let written = harness.output.take()
        let notices = Captured.notifications("notifications/claude/channel", in: written).compactMap { $0["params"]?["content"]?.stringValue }
        #expect(notices.contains { $0.hasPrefix("Loop detected: this session and `david/desktop/main` answered each other 6 times in a row in #ops") })
        #expect(Captured.result(2, in: written)?.text.hasPrefix("paused: you and `david/desktop/main`") == true)
        #expect(harness.link.take().isEmpty)
        // Whispers to someone else are not paused.
        await harness.call(3, "whisper", ["target": "erin/laptop/main", "text": "meanwhile"])
        #expect(Captured.result(3, in: harness.output.take()) == nil, "queued, not refused")
        #expect(harness.link.take().count == 1)
        await harness.reply(.ack(detail: nil))
        // Someone else speaking in the channel lifts the pause.
        await harness.reply(.channelMessage(channel: "ops", from: SessionPath(user: "erin", machine: "laptop", session: "main"), payload: .plain("hey")))
        await harness.call(4, "send_channel", ["channel": "ops", "text": "back"])
        #expect(harness.link.take().count == 1)
    }
}
