/// Builders for the JSON-RPC messages the bridge writes.
public enum OutgoingMessage {
    /// A successful response.
    public static func result(id: JSONValue, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "result": result]
    }

    /// An error response.
    public static func error(id: JSONValue, code: JSONRPCError, message: String) -> JSONValue {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .int(code.rawValue), "message": .string(message)]]
    }

    /// A notification.
    public static func notification(_ method: String, params: JSONValue? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { fields["params"] = params }
        return .object(fields)
    }

    /// A `tools/call` result with one text block.
    public static func toolResult(id: JSONValue, text: String, isError: Bool) -> JSONValue {
        var result: [String: JSONValue] = ["content": [["type": "text", "text": .string(text)]]]
        if isError { result["isError"] = true }
        return Self.result(id: id, .object(result))
    }

    /// A `notifications/claude/channel` injection.
    public static func channelNotification(content: String, meta: [String: String]) -> JSONValue {
        notification("notifications/claude/channel", params: [
            "content": .string(content), "meta": .object(meta.mapValues(JSONValue.string)),
        ])
    }
}
