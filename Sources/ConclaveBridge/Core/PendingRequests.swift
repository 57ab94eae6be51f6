import ConclaveProtocol

/// The requests waiting on one server link, answered strictly one at a time.
///
/// The wire protocol has no request ids, so the reference matched replies by position with many
/// requests in flight, and one unsolicited or lost reply shifted every later answer (reference
/// bridge gaps 5–7). Here only the head is ever on the wire: the next request is sent when the
/// head's reply arrived, a reply that comes when nothing is in flight is never taken as an
/// answer, and a head that times out makes the link reconnect, so a late reply cannot answer the
/// next request. Requests that were never sent survive a reconnect; the one in flight fails.
struct PendingRequests {
    struct Entry {
        let purpose: RequestPurpose
        let frame: ProtocolMessage
        /// Until the request is sent: when waiting for a connection gives up. After: when waiting
        /// for the reply gives up.
        var deadline: ContinuousClock.Instant
        var sent = false
        /// The MCP client cancelled the call: its reply is absorbed and nothing is answered.
        var cancelled = false
    }

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    /// Whether the head has been sent and awaits its reply.
    var hasRequestInFlight: Bool { entries.first?.sent == true }

    mutating func enqueue(_ purpose: RequestPurpose, frame: ProtocolMessage, deadline: ContinuousClock.Instant, first: Bool = false) {
        let entry = Entry(purpose: purpose, frame: frame, deadline: deadline)
        if first {
            // After a request already on the wire, before everything that waits.
            entries.insert(entry, at: hasRequestInFlight ? 1 : 0)
        } else {
            entries.append(entry)
        }
    }

    /// Marks the head as sent and returns its frame, when nothing is in flight.
    mutating func frameToSend(replyDeadline: ContinuousClock.Instant) -> ProtocolMessage? {
        guard let head = entries.first, !head.sent else { return nil }
        entries[0].sent = true
        entries[0].deadline = replyDeadline
        return head.frame
    }

    /// Removes and returns the request in flight (its reply arrived).
    mutating func completeHead() -> Entry? {
        guard hasRequestInFlight else { return nil }
        return entries.removeFirst()
    }

    /// The connection ended: the request in flight is removed and returned; internal requests
    /// that were not sent are dropped (they are issued again on reconnect); tool calls wait on.
    mutating func connectionLost() -> Entry? {
        let inFlight = hasRequestInFlight ? entries.removeFirst() : nil
        entries.removeAll { !$0.purpose.isToolCall }
        return inFlight
    }

    /// Removes every entry whose deadline passed.
    mutating func removeExpired(now: ContinuousClock.Instant) -> [Entry] {
        let expired = entries.filter { $0.deadline <= now }
        entries.removeAll { $0.deadline <= now }
        return expired
    }

    /// Removes and returns everything.
    mutating func removeAll() -> [Entry] {
        defer { entries.removeAll() }
        return entries
    }

    /// Cancels the tool call with MCP id `id`; returns whether one was found.
    mutating func cancel(id: JSONValue) -> Bool {
        guard let index = entries.firstIndex(where: { $0.purpose.toolID == id }) else { return false }
        if entries[index].sent {
            entries[index].cancelled = true
        } else {
            entries.remove(at: index)
        }
        return true
    }
}

/// Why a request was sent, and so what its reply means.
enum RequestPurpose {
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

    var toolID: JSONValue? {
        switch self {
        case let .tool(id, _), let .seal(id, _, _): id
        default: nil
        }
    }
}

/// What a tool call does with its reply.
enum ToolAction {
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
