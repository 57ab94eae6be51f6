public import Foundation

/// The whisper bodies of the permission relay: a bridge asks an approver about a Claude Code
/// permission prompt, and the approver's session answers.
///
/// Both are one JSON object, so any client can read and write them:
///
/// ```json
/// {"type":"conclave/permission_request","v":1,"request_id":"abc12","tool_name":"Bash","description":"…","input_preview":"…"}
/// {"type":"conclave/permission_verdict","v":1,"request_id":"abc12","behavior":"allow"}
/// ```
public enum RelayMessage: Sendable, Equatable {
    /// A permission prompt waiting for an approver.
    case request(requestID: String, toolName: String, description: String, inputPreview: String)
    /// An approver's answer.
    case verdict(requestID: String, allow: Bool)

    static let requestType = "conclave/permission_request"
    static let verdictType = "conclave/permission_verdict"

    /// Parses a whisper body; `nil` for any other text.
    public init?(text: String) {
        guard text.hasPrefix("{"), text.contains("conclave/permission_"),
            let value = JSONValue(parsing: Data(text.utf8)), let type = value["type"]?.stringValue,
            let requestID = value["request_id"]?.stringValue, !requestID.isEmpty
        else { return nil }
        switch type {
        case Self.requestType:
            self = .request(
                requestID: requestID, toolName: value["tool_name"]?.stringValue ?? "",
                description: value["description"]?.stringValue ?? "", inputPreview: value["input_preview"]?.stringValue ?? "")
        case Self.verdictType:
            guard let behavior = value["behavior"]?.stringValue, behavior == "allow" || behavior == "deny" else { return nil }
            self = .verdict(requestID: requestID, allow: behavior == "allow")
        default:
            return nil
        }
    }

    /// Whether `text` looks like a relay message at all (agents may not send these).
    public static func resembles(_ text: String) -> Bool {
        text.contains(requestType) || text.contains(verdictType)
    }

    /// The whisper body.
    public var text: String {
        switch self {
        case let .request(requestID, toolName, description, inputPreview):
            return JSONValue.object([
                "type": .string(Self.requestType), "v": 1, "request_id": .string(requestID), "tool_name": .string(toolName),
                "description": .string(description), "input_preview": .string(inputPreview),
            ]).serialized()
        case let .verdict(requestID, allow):
            return JSONValue.object([
                "type": .string(Self.verdictType), "v": 1, "request_id": .string(requestID),
                "behavior": .string(allow ? "allow" : "deny"),
            ]).serialized()
        }
    }
}
