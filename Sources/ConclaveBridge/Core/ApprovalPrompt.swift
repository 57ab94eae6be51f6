public import ConclaveIdentity
public import ConclaveProtocol
public import Foundation

/// What a sealed permission request holds: the prompt, who asked, and the two codes that answer it.
///
/// Only the approver machine's private key opens it (``SealedBox``), and an answer is one of the
/// codes, so reading the prompt and answering it both need that key.
public struct ApprovalPrompt: Sendable, Equatable {
    /// The length of an answer code.
    public static let codeByteCount = 32
    /// Each text field is cut to this many characters before sealing, so a request fits a whisper.
    static let fieldCharacterLimit = 4_000

    /// Claude Code's id for the prompt.
    public var requestID: String
    /// The tool that wants to run.
    public var toolName: String
    /// What it wants to do.
    public var description: String
    /// A preview of its input.
    public var inputPreview: String
    /// The session that asked (its bridge's path); a console answers only the whisper's sender
    /// when the two agree, so a prompt forwarded by someone else is recognised.
    public var requester: String
    /// The code that means allow.
    public var allowCode: [UInt8]
    /// The code that means deny.
    public var denyCode: [UInt8]

    /// Creates a prompt with two fresh random codes.
    public init(requestID: String, toolName: String, description: String, inputPreview: String, requester: SessionPath) throws(IdentityError) {
        self.init(
            requestID: requestID, toolName: toolName, description: description, inputPreview: inputPreview,
            requester: requester.description, allowCode: try SecureRandom.bytes(Self.codeByteCount),
            denyCode: try SecureRandom.bytes(Self.codeByteCount))
    }

    init(requestID: String, toolName: String, description: String, inputPreview: String, requester: String, allowCode: [UInt8], denyCode: [UInt8]) {
        self.requestID = requestID
        self.toolName = toolName
        self.description = description
        self.inputPreview = inputPreview
        self.requester = requester
        self.allowCode = allowCode
        self.denyCode = denyCode
    }

    /// Opens a sealed request with this machine's key; `nil` when it was not sealed to it or is
    /// not a prompt.
    public init?(opening sealed: [UInt8], with key: SigningKey) {
        guard let plain = key.openSealedBox(sealed), let value = JSONValue(parsing: Data(plain)),
            let requestID = value["request_id"]?.stringValue, !requestID.isEmpty,
            let requester = value["requester"]?.stringValue,
            let allow = value["allow"]?.stringValue.flatMap(Base64URL.decode), allow.count == Self.codeByteCount,
            let deny = value["deny"]?.stringValue.flatMap(Base64URL.decode), deny.count == Self.codeByteCount, allow != deny
        else { return nil }
        self.init(
            requestID: requestID, toolName: value["tool_name"]?.stringValue ?? "", description: value["description"]?.stringValue ?? "",
            inputPreview: value["input_preview"]?.stringValue ?? "", requester: requester, allowCode: allow, denyCode: deny)
    }

    /// The request whisper for the holder of `recipient`.
    public func sealed(to recipient: PublicKey) throws(IdentityError) -> RelayMessage {
        let plain = JSONValue.object([
            "request_id": .string(requestID), "tool_name": .string(Self.cut(toolName)),
            "description": .string(Self.cut(description)), "input_preview": .string(Self.cut(inputPreview)),
            "requester": .string(requester), "allow": .string(Base64URL.encode(allowCode)), "deny": .string(Base64URL.encode(denyCode)),
        ]).serialized()
        return .request(sealed: try SealedBox.seal(Array(plain.utf8), to: recipient))
    }

    /// The verdict whisper that answers this prompt.
    public func verdict(allow: Bool) -> RelayMessage {
        .verdict(requestID: requestID, code: allow ? allowCode : denyCode)
    }

    /// What `code` answers: `true` allow, `false` deny, `nil` neither (compared in constant time).
    public func answer(for code: [UInt8]) -> Bool? {
        if Self.constantTimeEqual(code, allowCode) { return true }
        if Self.constantTimeEqual(code, denyCode) { return false }
        return nil
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func cut(_ text: String) -> String {
        text.count <= fieldCharacterLimit ? text : String(text.prefix(fieldCharacterLimit)) + "…"
    }
}
