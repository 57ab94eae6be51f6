@testable import ConclaveCLI
import ConclaveClient
import ConclaveProtocol
import Testing

@Suite("tail ordering and de-duplication")
struct TailFeedTests {
    let alice = SessionPath(user: "alice", machine: "ws", session: "s")

    func history(_ texts: [(String, Int64)]) -> [HistoryMessage] {
        texts.map { HistoryMessage(from: alice, tsMs: $0.1, payload: .plain($0.0)) }
    }

    func texts(_ messages: [TailFeed.Message]) -> [String] {
        messages.map { if case let .plain(text) = $0.payload { text } else { "?" } }
    }

    @Test func liveMessagesWaitForTheBacklogAndAreNotRepeated() {
        var feed = TailFeed(sinceMs: 1_000, nowMs: 100_000)
        // `--since` is taken exactly; only a reconnect's replay adds the clock slack.
        #expect(feed.connected(nowMs: 100_000) == 1_000)
        // A live message arrives while the backlog is still coming: it is held.
        #expect(feed.live(channel: "ops", from: alice, payload: .plain("live"), nowMs: 100_001).isEmpty)
        let page1 = feed.history(channel: "ops", messages: history([("a", 2_000), ("b", 3_000)]))
        #expect(texts(page1.print) == ["a", "b"])
        #expect(page1.next == .readMore(sinceMs: 3_000))
        // The held message is also in the next page: printed once, in its place.
        let page2 = feed.history(channel: "ops", messages: history([("live", 4_000), ("c", 5_000)]))
        #expect(texts(page2.print) == ["live", "c"])
        let end = feed.history(channel: "ops", messages: [])
        #expect(end.print.isEmpty)
        #expect(end.next == .caughtUp)
        #expect(texts(feed.live(channel: "ops", from: alice, payload: .plain("d"), nowMs: 100_002)) == ["d"])
        #expect(feed.connected(nowMs: 200_000) == 100_002 - TailFeed.slackMs)
    }

    @Test func heldMessagesMissingFromHistoryAreReleasedAtTheEnd() {
        var feed = TailFeed(sinceMs: 0, nowMs: 10)
        _ = feed.connected(nowMs: 10)
        _ = feed.live(channel: "ops", from: alice, payload: .plain("x"), nowMs: 11)
        let end = feed.history(channel: "ops", messages: [])
        #expect(texts(end.print) == ["x"])
        #expect(end.print.first?.replayed == false)
    }

    @Test func aReconnectReplaysWhatWasMissedWithoutRepeats() {
        var feed = TailFeed(sinceMs: nil, nowMs: 50_000)
        #expect(feed.connected(nowMs: 50_000) == nil)
        _ = feed.live(channel: "ops", from: alice, payload: .plain("seen"), nowMs: 60_000)
        // The link drops; the replay starts a little before the last line seen.
        let start = feed.connected(nowMs: 90_000)
        #expect(start == 60_000 - TailFeed.slackMs)
        let page = feed.history(channel: "ops", messages: history([("seen", 59_990), ("missed", 70_000)]))
        #expect(texts(page.print) == ["missed"])
    }

    @Test func aLiveOnlyTailDoesNotReplayMessagesFromBeforeItStarted() {
        var feed = TailFeed(sinceMs: nil, nowMs: 50_000)
        _ = feed.connected(nowMs: 50_000)
        _ = feed.connected(nowMs: 52_000)
        let page = feed.history(channel: "ops", messages: history([("old", 45_000), ("new", 51_000)]))
        #expect(texts(page.print) == ["new"])
    }

    @Test func identicalMessagesAreCountedNotMerged() {
        var feed = TailFeed(sinceMs: 0, nowMs: 10)
        _ = feed.connected(nowMs: 10)
        _ = feed.live(channel: "ops", from: alice, payload: .plain("ok"), nowMs: 11)
        let page = feed.history(channel: "ops", messages: history([("ok", 1), ("ok", 2)]))
        #expect(texts(page.print) == ["ok", "ok"])
        #expect(feed.history(channel: "ops", messages: []).print.isEmpty)
    }
}

@Suite("tail output")
struct TailPrinterTests {
    @Test func aHostileSenderCannotWriteToTheTerminal() throws {
        let from = SessionPath(user: "eve", machine: "m", session: "x\u{1B}]0;pwned\u{07}\u{202E}")
        let printer = TailPrinter(json: false)
        let line = try printer.whisperLine(from: from, payload: .plain("hi"), timeMs: 0)
        #expect(!line.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" }, "\(line.debugDescription)")
        #expect(line.contains("\\u{1b}"))
    }

    @Test func linesCarryTheirProvenanceAndAnInvalidOneIsLoud() throws {
        let alice = SessionPath(user: "alice", machine: "ws", session: "s")
        let forged = TailFeed.Message(
            channel: "ops", from: alice, payload: .plain("go"), timeMs: 0, replayed: false,
            provenance: .invalid(reason: "a replay\u{1B}[2J"))
        let human = try TailPrinter(json: false).line(for: forged)
        #expect(human.contains("[ops] ✗ INVALID SIGNATURE (a replay\\u{1b}[2J) alice/ws/s: go"), "\(human)")
        var genuine = forged
        genuine.provenance = .verified
        #expect(try TailPrinter(json: false).line(for: genuine).contains("[ops] ✓ alice/ws/s: go"))
        let json = try TailPrinter(json: true).line(for: forged)
        #expect(json.contains(#""provenance":"invalid""#) && json.contains(#""provenance_reason""#))
        // A message seen live and again in history is one message, whatever each said of it.
        var feed = TailFeed(sinceMs: nil, nowMs: 0)
        _ = feed.connected(nowMs: 0)
        #expect(feed.live(channel: "ops", from: alice, payload: .plain("once"), provenance: .verified, nowMs: 10).count == 1)
        _ = feed.connected(nowMs: 20)
        let page = feed.history(channel: "ops", entries: [(HistoryMessage(from: alice, tsMs: 9, payload: .plain("once")), .verified, nil)])
        #expect(page.print.isEmpty)
    }
}
