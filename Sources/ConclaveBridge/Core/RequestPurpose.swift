import ConclaveClient
import ConclaveProtocol

/// Why a request was sent, and so what its reply means.
enum RequestPurpose: QueuedRequestPurpose {
    /// An MCP tool call.
    case tool(id: JSONValue, action: ToolAction)
    /// Re-joining a channel after a reconnect.
    case resubscribe(channel: String)
    /// `ListChannels` after a join, to learn whether this user holds an ACL row for the channel,
    /// without which it cannot be the channel's creator.
    case roleCheck(channel: String)
    /// `AclList` to learn whether this user administers a channel (sent only when it can).
    case adminProbe(channel: String)
    /// `Who` after a server notice, to learn whether the session still receives a channel.
    case membershipCheck(channel: String, notice: String)
    /// `ListMachines` to learn this user's machine keys, to seal a request to an unpinned approver.
    case approverKeys(requestID: String)
    /// `Who` to find the approvers' live sessions for a permission request.
    case approverLookup(requestID: String)
    /// A permission request whispered to one approver session (the `Ack` needs no action).
    case approverDelivery
    /// This machine's X25519 announcement, sent on every connection that speaks `e2e`.
    case announce
    /// `ListEncrypted`, to learn which channels take only envelopes.
    case encryptedList
    /// `MemberKeysQuery` before a `send_channel` to an encrypted channel: the reply says whom to
    /// seal `text` for, and the tool call is answered by the post that follows.
    case seal(id: JSONValue, channel: String, text: String)
    /// Key shares filed before an encrypted post.
    case keyShare(channel: String)
    /// `ChannelKeysQuery`: the keys shared with this machine, before reading a channel's history
    /// or when a post arrived under a key this machine lacks.
    case channelKeys(channel: String)

    var isToolCall: Bool { toolID != nil }

    /// Tool calls wait for the next connection; the bridge's own requests are issued again on
    /// reconnect.
    var survivesReconnect: Bool { isToolCall }

    var toolID: JSONValue? {
        switch self {
        case let .tool(id, _), let .seal(id, _, _): id
        default: nil
        }
    }
}
