public import Foundation

/// One line from the MCP client, classified.
public enum IncomingMessage: Sendable, Equatable {
    /// A request: it must be answered, with the same `id`.
    case request(id: JSONValue, method: String, params: JSONValue)
    /// A notification: never answered.
    case notification(method: String, params: JSONValue)
    /// A response to something we sent (we send no requests, so it is ignored).
    case response
    /// A line that cannot be processed; answered with this error (`id` is `null` when unknown).
    case invalid(id: JSONValue, code: JSONRPCError, message: String)
    /// An empty or blank line.
    case blank

    /// Classifies one line of bytes (without its newline).
    public static func classify(_ line: Data) -> IncomingMessage {
        var bytes = line
        if bytes.last == 0x0D { bytes.removeLast() }
        guard let text = String(data: bytes, encoding: .utf8) else {
            return .invalid(id: .null, code: .parseError, message: "parse error: the line is not valid UTF-8")
        }
        if text.allSatisfy(\.isWhitespace) { return .blank }
        guard let value = JSONValue(parsing: Data(text.utf8)) else {
            return .invalid(id: .null, code: .parseError, message: "parse error: the line is not valid JSON")
        }
        guard case let .object(fields) = value else {
            let what = if case .array = value { "batches are not supported" } else { "expected a JSON object" }
            return .invalid(id: .null, code: .invalidRequest, message: "invalid request: \(what)")
        }
        let id = fields["id"]
        if let id, !Self.isValidID(id) {
            return .invalid(id: .null, code: .invalidRequest, message: "invalid request: `id` must be a string or a number")
        }
        guard let methodValue = fields["method"] else {
            if fields["result"] != nil || fields["error"] != nil { return .response }
            return .invalid(id: id ?? .null, code: .invalidRequest, message: "invalid request: `method` is missing")
        }
        guard case let .string(method) = methodValue else {
            return .invalid(id: id ?? .null, code: .invalidRequest, message: "invalid request: `method` must be a string")
        }
        if fields["jsonrpc"] != .string("2.0") {
            return .invalid(id: id ?? .null, code: .invalidRequest, message: "invalid request: `jsonrpc` must be \"2.0\"")
        }
        let params = fields["params"] ?? .null
        // MCP passes parameters by name only; positional (array) params mean nothing here.
        switch params {
        case .object, .null: break
        default:
            return .invalid(id: id ?? .null, code: .invalidRequest, message: "invalid request: `params` must be an object")
        }
        if let id { return .request(id: id, method: method, params: params) }
        return .notification(method: method, params: params)
    }

    private static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string, .int, .double, .null: true
        default: false
        }
    }
}
