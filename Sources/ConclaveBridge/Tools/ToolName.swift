/// Every tool the bridge can offer, in `tools/list` order.
public enum ToolName: String, Sendable, CaseIterable {
    case joinChannel = "join_channel"
    case leaveChannel = "leave_channel"
    case listChannels = "list_channels"
    case who
    case catchUp = "catch_up"
    case setPerm = "set_perm"
    case createChannel = "create_channel"
    case ack
    case receipts
    case sendChannel = "send_channel"
    case whisper
    case deleteChannel = "delete_channel"
    case setVisibility = "set_visibility"
    case aclAdd = "acl_add"
    case aclRemove = "acl_remove"
    case inviteCreate = "invite_create"
    case inviteRevoke = "invite_revoke"
    case kick
    case ban
    case unban
    case renameChannel = "rename_channel"
    case aclList = "acl_list"
    case banList = "ban_list"
    case inviteList = "invite_list"

    /// When a tool is offered.
    public enum Gate: Sendable {
        /// Always.
        case always
        /// When some joined channel is at `converse` or `act`.
        case channelEmit
        /// When some server's whisper scope is at `converse` or `act`.
        case whisperEmit
        /// When the session administers something: a server, or at least one channel.
        case moderation
    }

    /// This tool's gate.
    public var gate: Gate {
        switch self {
        case .joinChannel, .leaveChannel, .listChannels, .who, .catchUp, .setPerm, .createChannel, .ack, .receipts: .always
        case .sendChannel: .channelEmit
        case .whisper: .whisperEmit
        default: .moderation
        }
    }

    /// Whether the tool acts on one channel the caller must administer (the `channel` or
    /// `name` argument).
    public var moderatesChannel: Bool {
        gate == .moderation && self != .inviteRevoke
    }
}
