import ConclaveProtocol

/// What a tool call does with its reply.
enum ToolAction: Sendable {
    case join(channel: String, level: PermissionLevel?)
    case leave(channel: String)
    case listChannels
    case who
    /// `continuing`: without `since`, from where this session is (messages shown live are left out).
    case catchUp(channel: String, continuing: Bool)
    case send(channel: String)
    case whisper
    case receipts
    case createChannel(name: String)
    case deleteChannel(name: String)
    case renameChannel(name: String, newName: String)
    /// A moderation request answered by `Ack`, `UserList`, `InviteList` or `InviteToken`.
    case moderation

    /// The channel a `catch_up` or `send_channel` is about: the calls the server refuses with
    /// "not a member" when this session is not subscribed.
    var subscribedChannel: String? {
        switch self {
        case let .catchUp(channel, _), let .send(channel): channel
        default: nil
        }
    }
}
