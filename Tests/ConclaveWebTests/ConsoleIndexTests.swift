@testable import ConclaveWeb
import Testing

/// The console's index: what it keeps once, what it drops, and search that reads no input as
/// FTS5 syntax.
@Suite("Console index")
struct ConsoleIndexTests {
    static func message(_ text: String, at tsMs: Int64, in conversation: String = "#ops", from sender: String = "a/m/s") -> ConsoleMessage {
        ConsoleMessage(
            server: "ws://127.0.0.1:4390/", conversation: conversation, sender: sender, tsMs: tsMs, text: text, trust: "verified",
            trustNote: nil, encrypted: false, outgoing: false)
    }

    @Test func aMessageSeenLiveAndAgainInHistoryIsKeptOnce() throws {
        let index = try ConsoleIndex()
        let live = try #require(try index.add(Self.message("deploy", at: 1_000_000)))
        #expect(live.id != nil)
        // History stamps it on the server's clock, a few seconds from the arrival time.
        #expect(try index.add(Self.message("deploy", at: 1_004_000)) == nil)
        // The same text much later, or from someone else, is another message.
        #expect(try index.add(Self.message("deploy", at: 1_060_000)) != nil)
        #expect(try index.add(Self.message("deploy", at: 1_000_000, from: "b/m/s")) != nil)
        #expect(try index.page(server: "ws://127.0.0.1:4390/", conversation: "#ops", before: nil, limit: 10).count == 3)
    }

    @Test func pagesAreOldestFirstAndScrollBackByID() throws {
        let index = try ConsoleIndex()
        for number in 0..<5 { _ = try index.add(Self.message("m\(number)", at: Int64(number) * 100_000)) }
        let newest = try index.page(server: "ws://127.0.0.1:4390/", conversation: "#ops", before: nil, limit: 2)
        #expect(newest.map(\.text) == ["m3", "m4"])
        let older = try index.page(server: "ws://127.0.0.1:4390/", conversation: "#ops", before: newest.first?.id, limit: 2)
        #expect(older.map(\.text) == ["m1", "m2"])
        #expect(try index.newestStamp(server: "ws://127.0.0.1:4390/", conversation: "#ops") == 400_000)
    }

    @Test func aFloodedConversationKeepsOnlyItsNewestMessagesAndSearchForgetsTheRest() throws {
        let index = try ConsoleIndex(keptPerConversation: 3)
        for number in 0..<6 { _ = try index.add(Self.message("flood \(number)", at: Int64(number) * 100_000)) }
        _ = try index.add(Self.message("elsewhere", at: 0, in: "#other"))
        let kept = try index.page(server: "ws://127.0.0.1:4390/", conversation: "#ops", before: nil, limit: 10)
        #expect(kept.map(\.text) == ["flood 3", "flood 4", "flood 5"])
        #expect(try index.search("flood", limit: 10).map(\.text) == ["flood 5", "flood 4", "flood 3"])
        #expect(try index.page(server: "ws://127.0.0.1:4390/", conversation: "#other", before: nil, limit: 10).count == 1)
    }

    @Test func searchTakesWordsAndPrefixesAndNeverFTSSyntax() throws {
        let index = try ConsoleIndex()
        _ = try index.add(Self.message("rolling back the deploy", at: 1))
        _ = try index.add(Self.message("deployment \"green\" NEAR done", at: 200_000))
        #expect(try index.search("deploy", limit: 10).map(\.text) == ["rolling back the deploy"])
        #expect(try index.search("deploy*", limit: 10).count == 2)
        // Operators and quotes are words here, not syntax; none of these throws.
        for hostile in ["\"", "NEAR(", "a OR", "*", "col:umn", "\"green\" NEAR", "-x", "(", "^deploy"] {
            _ = try index.search(hostile, limit: 10)
        }
        #expect(try index.search("\"green\"", limit: 10).count == 1)
        #expect(try index.search("   ", limit: 10).isEmpty)
    }
}
