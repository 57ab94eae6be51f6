/// One protocol frame: the unit that travels in one WebSocket binary message.
///
/// Case order is the wire order (indices 0–27, then the extensions' 64–87). New kinds are only
/// ever appended.
///
/// ```swift
/// let frame = ProtocolMessage.hello(protocolVersion: PROTOCOL_VERSION, session: "razel")
/// let bytes = frame.wireBytes                       // 00 01 05 72 61 7a 65 6c
/// let same = try ProtocolMessage(wireBytes: bytes)
/// ```
public enum ProtocolMessage: Sendable, Hashable {
    /// 0, C→S: opens the handshake.
    case hello(protocolVersion: UInt32, session: String)
    /// 1, S→C: the nonce the client must sign.
    case challenge(nonce: [UInt8])
    /// 2, C→S: the raw 32-byte public key and the 64-byte Ed25519 signature of the nonce.
    case auth(pubkey: [UInt8], signature: [UInt8])
    /// 3, S→C: the handshake succeeded; the resolved path.
    case established(path: SessionPath)
    /// 4, C→S: claims a username for a new account (sent right before `auth`).
    case register(username: String, machine: String, pubkey: [UInt8])
    /// 5, C→S: subscribes this session to a channel, optionally redeeming an invite.
    case join(channel: String, token: String?)
    /// 6, C→S: unsubscribes.
    case leave(channel: String)
    /// 7, C→S: asks who is present (server-wide when `channel` is `nil`).
    case who(channel: String?)
    /// 8, C→S: an administrative operation.
    case admin(AdminOp)
    /// 9, both ways: a channel post (wire name `ChannelMsg`). The server stamps `from`.
    case channelMessage(channel: String, from: SessionPath, payload: Payload)
    /// 10, both ways: a message to exactly one live session. The server stamps `from`.
    case whisper(from: SessionPath, target: SessionPath, payload: Payload)
    /// 11, S→C: the sessions present in a channel, or on the server.
    case presence(channel: String?, sessions: [SessionPath])
    /// 12, S→C: a refusal or termination.
    case error(ProtocolError)
    /// 13, C→S: asks for the visible channels.
    case listChannels
    /// 14, S→C: the visible channels.
    case channelList(channels: [ChannelInfo])
    /// 15, S→C: the join succeeded.
    case joined(channel: String)
    /// 16, S→C: a generic success, with optional detail.
    case ack(detail: String?)
    /// 17, S→C: a minted invite token.
    case inviteToken(token: String)
    /// 18, C→S: heartbeat.
    case ping
    /// 19, S→C: heartbeat reply.
    case pong
    /// 20, S→C: sent once, right after `established`.
    case serverInfo(admin: Bool)
    /// 21, C→S: asks for the caller's machines.
    case listMachines
    /// 22, S→C: the caller's machines.
    case machineList(machines: [MachineInfo])
    /// 23, C→S: asks for every username (server admins).
    case listUsers
    /// 24, S→C: a list of usernames.
    case userList(users: [String])
    /// 25, S→C: a channel's invites (v0.2.1).
    case inviteList(invites: [InviteInfo])
    /// 26, C→S: history after `sinceMs` (exclusive), oldest first (v0.3.0).
    case readSince(channel: String, sinceMs: Int64)
    /// 27, S→C: one page of history (v0.3.0).
    case history(channel: String, messages: [HistoryMessage])

    // Extension frames (`receipts`): indices 64–71, sent only to a peer that agreed to the
    // extension at the upgrade (``ProtocolExtension``). A reference peer never sees them.

    /// 64, S→C: the reply to a post or whisper from a `receipts` session: stored (or relayed)
    /// under this message id. Replaces `Ack`.
    case posted(id: UInt64)
    /// 65, S→C: a channel message with its id, to a `receipts` session (instead of 9).
    case taggedChannelMessage(id: UInt64, channel: String, from: SessionPath, payload: Payload)
    /// 66, S→C: a whisper with its id, to a `receipts` session (instead of 10).
    case taggedWhisper(id: UInt64, from: SessionPath, target: SessionPath, payload: Payload)
    /// 67, C→S: a recipient reports a state for a message it received. No reply.
    case receipt(id: UInt64, state: ReceiptState, detail: String?)
    /// 68, S→C, unsolicited: a recipient's new state, to the sending session.
    case receiptUpdate(id: UInt64, record: ReceiptRecord)
    /// 69, C→S: the states of one of the user's own messages. Answered by 70 or `Error`.
    case receiptQuery(id: UInt64)
    /// 70, S→C: every recipient's state for a message.
    case receiptList(id: UInt64, records: [ReceiptRecord])
    /// 71, C→S: a whisper held for up to `holdSeconds` while the target is offline, delivered
    /// when it connects. Answered by 64 (the id) or `Error`.
    case heldWhisper(target: SessionPath, payload: Payload, holdSeconds: UInt32)

    // Extension frames (`signatures`): indices 72–78.

    /// 72, C→S: a channel post signed by the sending machine. Answered like `ChannelMsg` (`Ack`,
    /// or `Posted` when `receipts` is agreed too).
    case signedPost(channel: String, payload: Payload, signature: MessageSignature)
    /// 73, C→S: a signed whisper; `holdSeconds` above 0 holds it for an offline target (needs
    /// `receipts`). Answered like `Whisper` or `HeldWhisper`.
    case signedWhisper(target: SessionPath, payload: Payload, signature: MessageSignature, holdSeconds: UInt32)
    /// 74, S→C: a signed channel message, to a `signatures` session (instead of 9 or 65); `id` is
    /// the `receipts` message id, or 0.
    case signedChannelMessage(id: UInt64, channel: String, from: SessionPath, payload: Payload, signature: MessageSignature)
    /// 75, S→C: a signed whisper, to a `signatures` session (instead of 10 or 66).
    case signedWhisperMessage(id: UInt64, from: SessionPath, target: SessionPath, payload: Payload, signature: MessageSignature)
    /// 76, S→C: one page of history with each message's signature, if it had one; the reply to
    /// `ReadSince` from a `signatures` session (instead of 27).
    case signedHistory(channel: String, messages: [SignedHistoryMessage])
    /// 77, C→S: the enrolled machine keys of a user. Answered by 78.
    case keyQuery(user: String)
    /// 78, S→C: a user's enrolled machines and their keys (empty for an unknown user).
    case keyList(user: String, machines: [MachineInfo])

    // Extension frames (`e2e`): indices 79–87.

    /// 79, C→S: this machine's X25519 key, announced under its machine key. Answered by `Ack`.
    case publishAgreement(announcement: AgreementAnnouncement)
    /// 80, C→S: the member machines of an end-to-end encrypted channel and their keys. Answered by 81.
    case memberKeysQuery(channel: String)
    /// 81, S→C: whether the channel is end-to-end encrypted, and its members' machines with their
    /// signing keys and announcements.
    case memberKeys(channel: String, encrypted: Bool, members: [MemberMachine])
    /// 82, C→S: makes a private channel end-to-end encrypted, for good (its admin only). Answered
    /// by `Ack`.
    case markEncrypted(channel: String)
    /// 83, C→S: copies of this machine's channel key, each sealed to one member machine. Answered
    /// by `Ack`.
    case shareChannelKey(channel: String, keys: [SealedChannelKey])
    /// 84, C→S: the channel keys shared with this machine. Answered by 85.
    case channelKeysQuery(channel: String)
    /// 85, S→C: the channel keys shared with the asking machine, with who shared each.
    case channelKeys(channel: String, keys: [SharedChannelKey])
    /// 86, C→S: which channels are end-to-end encrypted. Answered by 87.
    case listEncrypted
    /// 87, S→C: the names of the end-to-end encrypted channels.
    case encryptedChannels(channels: [String])

    static let variantCount = 28
    /// The first extension index, and how many there are.
    static let extensionBase: UInt32 = 64
    static let extensionCount: UInt32 = 24
    /// The first `signatures` frame.
    static let signaturesBase: UInt32 = 72
    /// The first `e2e` frame.
    static let endToEndBase: UInt32 = 79

    /// Whether `index` names a variant (v1 or extension).
    static func isVariant(_ index: UInt32) -> Bool {
        index < variantCount || (index >= extensionBase && index < extensionBase + extensionCount)
    }

    /// The extension this frame belongs to; `nil` for v1 frames.
    public var requiredExtension: ProtocolExtension? {
        switch wireIndex {
        case ..<Self.extensionBase: nil
        case ..<Self.signaturesBase: .receipts
        case ..<Self.endToEndBase: .signatures
        default: .e2e
        }
    }

    /// The variant's wire index.
    public var wireIndex: UInt32 {
        switch self {
        case .hello: 0
        case .challenge: 1
        case .auth: 2
        case .established: 3
        case .register: 4
        case .join: 5
        case .leave: 6
        case .who: 7
        case .admin: 8
        case .channelMessage: 9
        case .whisper: 10
        case .presence: 11
        case .error: 12
        case .listChannels: 13
        case .channelList: 14
        case .joined: 15
        case .ack: 16
        case .inviteToken: 17
        case .ping: 18
        case .pong: 19
        case .serverInfo: 20
        case .listMachines: 21
        case .machineList: 22
        case .listUsers: 23
        case .userList: 24
        case .inviteList: 25
        case .readSince: 26
        case .history: 27
        case .posted: 64
        case .taggedChannelMessage: 65
        case .taggedWhisper: 66
        case .receipt: 67
        case .receiptUpdate: 68
        case .receiptQuery: 69
        case .receiptList: 70
        case .heldWhisper: 71
        case .signedPost: 72
        case .signedWhisper: 73
        case .signedChannelMessage: 74
        case .signedWhisperMessage: 75
        case .signedHistory: 76
        case .keyQuery: 77
        case .keyList: 78
        case .publishAgreement: 79
        case .memberKeysQuery: 80
        case .memberKeys: 81
        case .markEncrypted: 82
        case .shareChannelKey: 83
        case .channelKeysQuery: 84
        case .channelKeys: 85
        case .listEncrypted: 86
        case .encryptedChannels: 87
        }
    }

    /// The variant's name as the reference spells it (`ChannelMsg`), for logs and errors.
    public var name: String {
        Self.name(ofVariant: wireIndex) ?? "Unknown"
    }

    /// The name of variant `index`, or `nil` when there is none.
    public static func name(ofVariant index: UInt32) -> String? {
        if index < names.count { return names[Int(index)] }
        guard index >= extensionBase, index < extensionBase + extensionCount else { return nil }
        return extensionNames[Int(index - extensionBase)]
    }

    /// The variant index a frame's bytes start with, read without decoding the body; `nil` when
    /// the bytes do not start with a valid index.
    public static func variantIndex(ofWireBytes bytes: some Collection<UInt8>) -> UInt32? {
        // Every variant index fits the one-byte varint form: no copy on the per-frame path.
        if let first = bytes.first, first < 251 {
            return isVariant(UInt32(first)) ? UInt32(first) : nil
        }
        var reader = WireReader(Array(bytes.prefix(5)))
        guard let index = try? reader.readU32(), isVariant(index) else { return nil }
        return index
    }

    private static let names = [
        "Hello", "Challenge", "Auth", "Established", "Register", "Join", "Leave", "Who", "Admin",
        "ChannelMsg", "Whisper", "Presence", "Error", "ListChannels", "ChannelList", "Joined", "Ack",
        "InviteToken", "Ping", "Pong", "ServerInfo", "ListMachines", "MachineList", "ListUsers",
        "UserList", "InviteList", "ReadSince", "History",
    ]

    private static let extensionNames = [
        "Posted", "TaggedChannelMsg", "TaggedWhisper", "Receipt", "ReceiptUpdate", "ReceiptQuery", "ReceiptList", "HeldWhisper",
        "SignedPost", "SignedWhisper", "SignedChannelMsg", "SignedWhisperMsg", "SignedHistory", "KeyQuery", "KeyList",
        "PublishAgreement", "MemberKeysQuery", "MemberKeys", "MarkEncrypted", "ShareChannelKey", "ChannelKeysQuery", "ChannelKeys",
        "ListEncrypted", "EncryptedChannels",
    ]
}
