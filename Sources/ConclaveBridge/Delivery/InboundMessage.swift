public import ConclaveClient
public import ConclaveProtocol

/// One thing the bridge shows its agent: a channel message, a whisper, or a notice from the
/// bridge itself. It is delivered either by push (a `notifications/claude/channel`) or by pull
/// (the delivery spool, drained by `conclave hook`), never both.
public struct InboundMessage: Sendable, Hashable {
    /// What kind of message it is.
    public enum Kind: String, Sendable, Hashable {
        /// A channel message from another participant.
        case channel
        /// A whisper from another participant.
        case whisper
        /// A notice from the bridge (a link went down, a loop was paused, a server notice).
        case notice
        /// A notice about a server link (up, down, refused).
        case link
    }

    /// This bridge's number for it, unique within the spool.
    public var id: String
    /// Its kind.
    public var kind: Kind
    /// The server key (the URL as its registration spells it).
    public var server: String?
    /// The channel, for channel messages.
    public var channel: String?
    /// The sender's session path, for channel messages and whispers.
    public var from: String?
    /// The text: a peer's body (unescaped; escaped when rendered) or the bridge's notice.
    public var body: String
    /// The autonomy level that applied when it arrived; `nil` for notices.
    public var level: PermissionLevel?
    /// This machine's wall clock when it arrived, in milliseconds since the epoch.
    public var atMs: Int64
    /// The server's id for the message (the `receipts` extension), to report its state with.
    public var receiptID: UInt64?
    /// Who wrote it, as its signature says (`nil` for notices).
    public var provenance: Provenance?

    /// A message.
    public init(
        id: String, kind: Kind, server: String?, channel: String? = nil, from: String? = nil, body: String,
        level: PermissionLevel? = nil, atMs: Int64, receiptID: UInt64? = nil, provenance: Provenance? = nil
    ) {
        self.receiptID = receiptID
        self.provenance = provenance
        self.id = id
        self.kind = kind
        self.server = server
        self.channel = channel
        self.from = from
        self.body = body
        self.level = level
        self.atMs = atMs
    }

    /// Whether it may keep the agent working to answer (converse or act): such a message lets a
    /// `Stop` hook continue the turn and lets the waiter wake an idle session.
    public var expectsAnswer: Bool {
        guard kind == .channel || kind == .whisper, let level else { return false }
        return level.mayEmit
    }

    /// Its size for the spool's byte bound.
    var byteCount: Int {
        body.utf8.count + (channel?.utf8.count ?? 0) + (from?.utf8.count ?? 0) + (server?.utf8.count ?? 0) + 64
    }

    /// Its spool record.
    var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "kind": .string(kind.rawValue), "body": .string(body), "at_ms": .int(atMs)]
        if let server { fields["server"] = .string(server) }
        if let channel { fields["channel"] = .string(channel) }
        if let from { fields["from"] = .string(from) }
        if let level { fields["level"] = .string(level.token) }
        // As text: a JSON number need not keep 64 bits (the server keeps ids below 2^53 anyway).
        if let receiptID { fields["rid"] = .string(String(receiptID)) }
        if let provenance {
            fields["prov"] = .string(provenance.mark)
            if let reason = provenance.reason { fields["prov_reason"] = .string(reason) }
        }
        return .object(fields)
    }

    /// A message read back from its spool record; `nil` when the record is not one.
    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let kind = json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
            let body = json["body"]?.stringValue, let atMs = json["at_ms"]?.intValue
        else { return nil }
        let level = json["level"]?.stringValue.flatMap { try? PermissionLevel(token: $0) }
        self.init(
            id: id, kind: kind, server: json["server"]?.stringValue, channel: json["channel"]?.stringValue,
            from: json["from"]?.stringValue, body: body, level: level, atMs: atMs,
            receiptID: json["rid"]?.stringValue.flatMap { UInt64($0) },
            provenance: json["prov"]?.stringValue.flatMap { Provenance(mark: $0, reason: json["prov_reason"]?.stringValue ?? "") })
    }
}
