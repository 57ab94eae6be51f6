@testable import ConclaveBridge
import Foundation
import Testing

@Suite("JSON-RPC layer")
struct JSONRPCTests {
    func classify(_ text: String) -> IncomingMessage { IncomingMessage.classify(Data(text.utf8)) }

    @Test func requestsNotificationsAndResponsesAreTold() {
        #expect(classify(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"who","arguments":{"channel":"ops"}}}"#)
            == .request(id: 7, method: "tools/call", params: ["name": "who", "arguments": ["channel": "ops"]]))
        #expect(classify(#"{"jsonrpc":"2.0","id":"a-1","method":"ping"}"#) == .request(id: "a-1", method: "ping", params: .null))
        #expect(classify(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .notification(method: "notifications/initialized", params: .null))
        #expect(classify(#"{"jsonrpc":"2.0","id":3,"result":{}}"#) == .response)
        #expect(classify("   ") == .blank)
        #expect(classify("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r") == .request(id: 1, method: "ping", params: .null))
    }

    @Test func malformedInputGetsTheStandardErrors() {
        guard case .invalid(.null, .parseError, _) = classify("{not json") else { Issue.record("parse error expected"); return }
        guard case .invalid(.null, .parseError, _) = IncomingMessage.classify(Data([0x7B, 0xFF, 0xFE, 0x7D])) else {
            Issue.record("non-UTF-8 must be a parse error, not the end of the bridge"); return
        }
        guard case .invalid(.null, .invalidRequest, _) = classify(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#) else {
            Issue.record("batches are invalid requests"); return
        }
        guard case .invalid(5, .invalidRequest, _) = classify(#"{"jsonrpc":"2.0","id":5}"#) else { Issue.record("no method"); return }
        guard case .invalid(6, .invalidRequest, _) = classify(#"{"jsonrpc":"2.0","id":6,"method":"tools/list","params":[1]}"#) else {
            Issue.record("positional (array) params are an invalid request"); return
        }
        guard case .invalid(5, .invalidRequest, _) = classify(#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#) else { Issue.record("version"); return }
        guard case .invalid(.null, .invalidRequest, _) = classify(#"{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}"#) else { Issue.record("object id"); return }
        guard case .invalid(2, .invalidRequest, _) = classify(#"{"jsonrpc":"2.0","id":2,"method":"ping","params":3}"#) else { Issue.record("params"); return }
    }

    @Test func idsAndValuesRoundTripExactly() throws {
        let text = #"{"a":[1,2.5,true,null,"x\/y"],"id":9007199254740991}"#
        let value = try #require(JSONValue(parsing: Data(text.utf8)))
        #expect(value["id"] == .int(9_007_199_254_740_991))
        #expect(value["a"] == [1, .double(2.5), true, nil, "x/y"])
        #expect(value.serialized() == #"{"a":[1,2.5,true,null,"x/y"],"id":9007199254740991}"#)
    }

    @Test func theVerdictAndInjectionShapesAreMCPs() {
        let injection = OutgoingMessage.channelNotification(content: "c", meta: ["kind": "channel"])
        #expect(injection["method"] == "notifications/claude/channel")
        #expect(injection["params"]?["meta"]?["kind"] == "channel")
        let failure = OutgoingMessage.toolResult(id: 4, text: "no", isError: true)
        #expect(failure["result"]?["isError"] == true)
        #expect(OutgoingMessage.toolResult(id: 4, text: "yes", isError: false)["result"]?["isError"] == nil)
    }
}
