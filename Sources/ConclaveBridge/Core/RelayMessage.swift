import ConclaveIdentity
public import Foundation

/// The whisper bodies of the permission relay (version 2): a bridge asks an approver about a
/// Claude Code permission prompt, and the approver's console answers.
///
/// ```json
/// {"type":"conclave/permission_request","v":2,"sealed":"<base64url sealed box>"}
/// {"type":"conclave/permission_verdict","v":2,"request_id":"abc12","code":"<base64url, 32 bytes>"}
/// ```
///
/// The request's contents (an ``ApprovalPrompt``) are sealed to the approver machine's key, and
/// they carry two fresh random codes, one meaning allow and one deny. A verdict is accepted only
/// when it returns one of those codes, so answering requires having opened the box: no text an
/// agent can write through a tool, however it is spelled, is a verdict.
public enum RelayMessage: Sendable, Equatable {
    /// A permission prompt sealed to one approver key.
    case request(sealed: [UInt8])
    /// An approver's answer: the code it read from the opened prompt.
    case verdict(requestID: String, code: [UInt8])

    static let typePrefix = "conclave/permission_"
    static let requestType = "conclave/permission_request"
    static let verdictType = "conclave/permission_verdict"
    static let version: Int64 = 2
    /// Far above any real relay message; a longer whisper is not parsed at all.
    static let maximumTextBytes = 192 * 1024

    /// Parses a whisper body; `nil` for any other text.
    public init?(text: String) {
        guard let object = Self.relayObject(text), object["v"]?.intValue == Self.version else { return nil }
        switch object["type"]?.stringValue {
        case Self.requestType:
            guard let sealed = object["sealed"]?.stringValue.flatMap(Base64URL.decode), sealed.count > SealedBox.overhead else {
                return nil
            }
            self = .request(sealed: sealed)
        case Self.verdictType:
            guard let requestID = object["request_id"]?.stringValue, !requestID.isEmpty,
                let code = object["code"]?.stringValue.flatMap(Base64URL.decode), code.count == ApprovalPrompt.codeByteCount
            else { return nil }
            self = .verdict(requestID: requestID, code: code)
        default:
            return nil
        }
    }

    /// Whether `text` is, once parsed as JSON, an object whose `type` belongs to the relay, in any
    /// version and whatever the escaping. Agents may not send such text, and a bridge never shows
    /// one to its agent.
    public static func isRelayShaped(_ text: String) -> Bool {
        relayObject(text) != nil
    }

    private static func relayObject(_ text: String) -> JSONValue? {
        let utf8 = text.utf8
        guard utf8.count <= maximumTextBytes, utf8.contains(UInt8(ascii: "{")),
            let value = JSONValue(parsing: Data(utf8)), let type = value["type"]?.stringValue, type.hasPrefix(typePrefix)
        else { return nil }
        return value
    }

    /// The whisper body.
    public var text: String {
        switch self {
        case let .request(sealed):
            return JSONValue.object(["type": .string(Self.requestType), "v": .int(Self.version), "sealed": .string(Base64URL.encode(sealed))])
                .serialized()
        case let .verdict(requestID, code):
            return JSONValue.object([
                "type": .string(Self.verdictType), "v": .int(Self.version), "request_id": .string(requestID),
                "code": .string(Base64URL.encode(code)),
            ]).serialized()
        }
    }
}
