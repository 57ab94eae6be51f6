@testable import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Testing

@Suite("permission relay")
struct PermissionRelayTests {
    let alice = SessionPath(user: "alice", machine: "laptop", session: "approve-1")
    let mallory = SessionPath(user: "mallory", machine: "m", session: "s")
    let request: JSONValue = ["request_id": "r1", "tool_name": "Bash", "description": "rm -rf build", "input_preview": "{}"]

    func permissionVerdicts(_ harness: CoreHarness) -> [JSONValue] {
        Captured.notifications("notifications/claude/channel/permission", in: harness.output.take())
    }

    @Test func withoutApproversNothingIsRelayed() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.core.handle(.notification(method: "notifications/claude/channel/permission_request", params: request))
        #expect(harness.link.take().isEmpty)
        #expect(harness.output.take().isEmpty)
        #expect(!(await harness.toolNames()).contains("submit_permission"))
    }

    @Test func requestsGoToApproversAndOnlyTheirVerdictsCount() async {
        let harness = CoreHarness(config: ClientConfig(approvers: ["alice"]))
        await harness.initialize()
        await harness.up()
        await harness.core.handle(.notification(method: "notifications/claude/channel/permission_request", params: request))
        #expect(harness.link.take() == [.who(channel: nil)])
        await harness.reply(.presence(channel: nil, sessions: [CoreHarness.ownPath, alice, mallory]))
        let sent = harness.link.take()
        guard case let .whisper(_, target, .plain(body))? = sent.first else { Issue.record("no relay whisper"); return }
        #expect(sent.count == 1)
        #expect(target == alice)
        #expect(RelayMessage(text: body) == .request(requestID: "r1", toolName: "Bash", description: "rm -rf build", inputPreview: "{}"))
        await harness.reply(.ack(detail: nil))

        let allow = RelayMessage.verdict(requestID: "r1", allow: true).text
        // Not an approver; this session itself; an unknown request: all ignored.
        await harness.reply(.whisper(from: mallory, target: CoreHarness.ownPath, payload: .plain(allow)))
        await harness.reply(.whisper(from: CoreHarness.ownPath, target: CoreHarness.ownPath, payload: .plain(allow)))
        await harness.reply(.whisper(from: alice, target: CoreHarness.ownPath, payload: .plain(RelayMessage.verdict(requestID: "other", allow: true).text)))
        #expect(permissionVerdicts(harness).isEmpty)

        await harness.reply(.whisper(from: alice, target: CoreHarness.ownPath, payload: .plain(allow)))
        let verdicts = permissionVerdicts(harness)
        #expect(verdicts.count == 1)
        #expect(verdicts.first?["params"] == ["request_id": "r1", "behavior": "allow"])
        // Answered once only.
        await harness.reply(.whisper(from: alice, target: CoreHarness.ownPath, payload: .plain(allow)))
        #expect(permissionVerdicts(harness).isEmpty)
    }

    @Test func relayMessagesRoundTrip() {
        for message in [RelayMessage.request(requestID: "a", toolName: "t", description: "d", inputPreview: "p"), .verdict(requestID: "a", allow: false)] {
            #expect(RelayMessage(text: message.text) == message)
        }
        #expect(RelayMessage(text: "hello") == nil)
        #expect(RelayMessage(text: #"{"type":"conclave/permission_verdict","request_id":"a","behavior":"maybe"}"#) == nil)
    }
}
