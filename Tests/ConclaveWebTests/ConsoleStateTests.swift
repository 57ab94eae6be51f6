import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
@testable import ConclaveWeb
import Testing

/// The console's state: unread counts, events for pages that wait or fall behind, and the bounds
/// that keep a hostile peer from growing it without end.
@Suite("Console state")
struct ConsoleStateTests {
    static let server = "ws://127.0.0.1:4390/"

    static func message(_ conversation: String, outgoing: Bool = false) -> ConsoleMessage {
        ConsoleMessage(
            id: 1, server: server, conversation: conversation, sender: "a/m/s", tsMs: 1, text: "hi", trust: "verified", trustNote: nil,
            encrypted: false, outgoing: outgoing)
    }

    @Test func liveMessagesFromOthersCountAsUnreadUntilRead() async {
        let state = ConsoleState(servers: [Self.server])
        await state.update(Self.server) { $0.channels = [.init(name: "ops", visibility: "public", member: true, encrypted: false, joined: true, present: [], unread: 0)] }
        await state.received(Self.message("#ops"), live: true)
        await state.received(Self.message("#ops", outgoing: true), live: true)
        await state.received(Self.message("#ops"), live: false)
        #expect(await state.snapshot(nowMs: 0).servers.first?.channels.first?.unread == 1)
        await state.markRead(server: Self.server, conversation: "#ops")
        #expect(await state.snapshot(nowMs: 0).servers.first?.channels.first?.unread == 0)
    }

    @Test func aWaitingPageIsWokenByTheNextEventAndAPageTooFarBehindIsToldToReload() async {
        let state = ConsoleState(servers: [Self.server])
        let seq = await state.snapshot(nowMs: 0).seq
        async let waited = state.events(after: seq, timeout: .seconds(30))
        try? await Task.sleep(for: .milliseconds(50))
        await state.received(Self.message("#ops"), live: true)
        let (events, reset) = await waited
        #expect(events.map(\.kind) == [.message] && !reset)
        for _ in 0..<(ConsoleState.eventsKept + 10) { await state.markRead(server: Self.server, conversation: "#x") ; await state.received(Self.message("#x"), live: true) }
        #expect(await state.events(after: seq, timeout: .zero).reset)
    }

    @Test func whisperConversationsAndPromptsAreBounded() async throws {
        let state = ConsoleState(servers: [Self.server])
        for number in 0..<(ConsoleState.conversationsListed + 50) {
            await state.received(Self.message("@peer/m/s\(number)"), live: true)
        }
        let listed = try #require(await state.snapshot(nowMs: 0).servers.first)
        #expect(listed.conversations.count == ConsoleState.conversationsListed)
        #expect(listed.conversations.last == "@peer/m/s\(ConsoleState.conversationsListed + 49)")
        #expect(listed.unreadWhispers.count == ConsoleState.conversationsListed)

        let requester = SessionPath(user: "a", machine: "m", session: "agent")
        let prompt = try ApprovalPrompt(requestID: "r", toolName: "Bash", description: "", inputPreview: "", requester: requester)
        for _ in 0..<(ConsoleState.promptsKept + 20) {
            await state.addPrompt(prompt, from: requester, server: Self.server, nowMs: 1)
        }
        #expect(await state.snapshot(nowMs: 2).prompts.count == ConsoleState.promptsKept)
        // Requests expire with the bridge's patience.
        #expect(await state.snapshot(nowMs: 2 + ConsoleState.promptLifetimeMs).prompts.isEmpty)
    }

    @Test func theTokenMatchesOnlyItself() throws {
        let token = try ConsoleToken()
        #expect(token.text.count == 64)
        #expect(token.matches(token.text))
        #expect(!token.matches(String(token.text.dropLast()) + (token.text.last == "0" ? "1" : "0")))
        #expect(!token.matches(""))
        #expect(try ConsoleToken().text != token.text)
    }
}
