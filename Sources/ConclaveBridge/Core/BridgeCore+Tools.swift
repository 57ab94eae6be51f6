import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol

extension BridgeCore {
    /// Answers or queues one `tools/call`.
    func callTool(id: JSONValue, name: String, arguments: ToolArguments) {
        guard let tool = ToolName(rawValue: name) else {
            answer(id, "unknown tool `\(name)`", isError: true)
            return
        }
        // An unoffered tool is refused, so the offered list is the capability boundary (gap 11).
        guard offered.contains(tool) else {
            answer(id, "`\(name)` is not available to this session: \(Self.unavailableReason(tool.gate))", isError: true)
            return
        }
        do throws(ToolArguments.Invalid) {
            // The schema says `additionalProperties: false`: an argument it does not name is a
            // mistake (`set_perm` with scope `whisper` and a `channel` meant something else).
            let accepted = ToolCatalog.argumentNames(tool)
            if case let .object(fields) = arguments.value, let unknown = fields.keys.sorted().first(where: { !accepted.contains($0) }) {
                throw ToolArguments.Invalid(
                    message: "`\(name)` has no argument `\(unknown)` (it takes: \(accepted.sorted().map { "`\($0)`" }.joined(separator: ", ")))")
            }
            try perform(tool, id: id, arguments: arguments)
        } catch {
            answer(id, error.message, isError: true)
        }
    }

    static func unavailableReason(_ gate: ToolName.Gate) -> String {
        switch gate {
        case .always: "it is disabled"
        case .channelEmit: "no joined channel is at converse or act (your user sets that with `conclave perm set` or the set_perm tool)"
        case .whisperEmit: "whispers are below converse on every linked server"
        case .moderation: "this user administers no channel and no server here"
        }
    }

    // One case per tool keeps each tool's checks in the order they are documented.
    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func perform(_ tool: ToolName, id: JSONValue, arguments: ToolArguments) throws(ToolArguments.Invalid) {
        if tool == .setPerm {
            try setPerm(id: id, arguments: arguments)
            return
        }
        if tool == .ack || tool == .receipts {
            let (key, messageID) = try receiptTarget(arguments)
            // A hook may have shown it since the last tick: say so first, so the sender sees
            // injected before acked.
            reportPulled()
            if tool == .ack {
                report(messageID, on: key, .acked)
                answer(id, "acknowledged message \(messageID)")
            } else {
                enqueue(key, .tool(id: id, action: .receipts), .receiptQuery(id: messageID))
            }
            return
        }
        let key = try resolveServer(arguments)
        guard let serverURL = servers[key]?.url else { throw .init(message: "not linked to `\(key)`") }
        switch tool {
        case .joinChannel:
            let channel = try validChannel(arguments.required("channel"))
            let level = try arguments.string("perm").map { text throws(ToolArguments.Invalid) in try Self.level(text) }
            if let level { try refuseRaise(to: level, server: serverURL, scope: .channel(channel), described: "`\(channel)` on `\(key)`") }
            enqueue(key, .tool(id: id, action: .join(channel: channel, level: level)), .join(channel: channel, token: try arguments.string("token")))
            // A channel encrypted since the link came up is learnt before the agent posts to it.
            if servers[key]?.endToEnd != nil { enqueue(key, .encryptedList, .listEncrypted) }
        case .leaveChannel:
            let channel = try arguments.required("channel")
            servers[key]?.joined.remove(channel)
            enqueue(key, .tool(id: id, action: .leave(channel: channel)), .leave(channel: channel))
        case .listChannels:
            enqueue(key, .tool(id: id, action: .listChannels), .listChannels)
        case .who:
            enqueue(key, .tool(id: id, action: .who), .who(channel: try arguments.string("channel")))
        case .catchUp:
            let channel = try arguments.required("channel")
            let continuing = try arguments.string("since") == nil
            let start = try catchUpStart(key, channel, arguments)
            fetchKeysIfEncrypted(channel, server: key)
            enqueue(key, .tool(id: id, action: .catchUp(channel: channel, continuing: continuing)), .readSince(channel: channel, sinceMs: start))
        case .createChannel:
            let name = try validChannel(arguments.required("name"))
            let visibility = try arguments.string("visibility").map { text throws(ToolArguments.Invalid) in try Self.visibility(text) } ?? .public
            enqueue(key, .tool(id: id, action: .createChannel(name: name)), .admin(.createChannel(name: name, visibility: visibility)))
        case .sendChannel:
            let (channel, text) = try arguments.required("channel", "text")
            let level = config.permission(server: serverURL, scope: .channel(channel))
            guard level.mayEmit else {
                throw .init(message: "permission denied: `\(channel)` on `\(key)` is \(level), below `converse`")
            }
            try refuseRelayLookalike(text)
            let answered = try replyTarget(arguments)
            try admitEmit(key: key, target: channel, label: "#\(channel)")
            if let answered {
                reportPulled()
                report(answered.id, on: answered.server, .acked)
            }
            if servers[key]?.endToEnd != nil, servers[key]?.encrypted.contains(channel) == true {
                // Sealed when the member list comes back; the post then answers this call.
                enqueue(key, .seal(id: id, channel: channel, text: text), .memberKeysQuery(channel: channel))
            } else {
                enqueue(key, .tool(id: id, action: .send(channel: channel)), .channelMessage(channel: channel, from: ownPath(key), payload: .plain(text)))
            }
        case .whisper:
            let (targetText, text) = try arguments.required("target", "text")
            guard let target = try? SessionPath(parsing: targetText) else {
                throw .init(message: "`target` must be a `user/machine/session` path")
            }
            let level = config.permission(server: serverURL, scope: .whisper)
            guard level.mayEmit else {
                throw .init(message: "permission denied: whispers on `\(key)` are \(level), below `converse`")
            }
            try refuseRelayLookalike(text)
            let answered = try replyTarget(arguments)
            let hold = try arguments.positiveInteger("hold_minutes", maximum: 1440)
            if hold != nil, servers[key]?.receipts != true {
                throw .init(message: "`\(key)` cannot hold whispers (it does not speak the receipts extension); send without `hold_minutes` while the target is connected")
            }
            try admitEmit(key: key, target: "@\(target)", label: "`\(target)`")
            if let answered {
                reportPulled()
                report(answered.id, on: answered.server, .acked)
            }
            let frame: ProtocolMessage = if let hold {
                .heldWhisper(target: target, payload: .plain(text), holdSeconds: UInt32(hold) * 60)
            } else {
                .whisper(from: ownPath(key), target: target, payload: .plain(text))
            }
            enqueue(key, .tool(id: id, action: .whisper), frame)
        default:
            try moderate(tool, key: key, id: id, arguments: arguments)
        }
    }

    // swiftlint:disable:next cyclomatic_complexity
    private func moderate(_ tool: ToolName, key: String, id: JSONValue, arguments: ToolArguments) throws(ToolArguments.Invalid) {
        let operation: AdminOp
        var action = ToolAction.moderation
        switch tool {
        case .deleteChannel:
            let name = try arguments.required("name")
            operation = .deleteChannel(name: name)
            action = .deleteChannel(name: name)
        case .setVisibility:
            let (name, visibility) = try arguments.required("name", "visibility")
            operation = .setVisibility(name: name, visibility: try Self.visibility(visibility))
        case .aclAdd, .aclRemove, .ban, .unban:
            let (channel, user) = try arguments.required("channel", "user")
            operation = switch tool {
            case .aclAdd: .aclAdd(channel: channel, user: user)
            case .aclRemove: .aclRemove(channel: channel, user: user)
            case .ban: .ban(channel: channel, user: user)
            default: .unban(channel: channel, user: user)
            }
        case .kick:
            let (channel, target) = try arguments.required("channel", "target")
            operation = .kick(channel: channel, target: target)
        case .inviteCreate:
            let channel = try arguments.required("channel")
            let uses = try arguments.positiveInteger("uses", maximum: Int64(UInt32.max)).map(UInt32.init)
            let expires = try arguments.positiveInteger("expires_in_secs", maximum: Int64.max).map(UInt64.init)
            operation = .inviteCreate(channel: channel, uses: uses, expiresInSecs: expires)
        case .inviteRevoke:
            operation = .inviteRevoke(token: try arguments.required("token"))
        case .renameChannel:
            let (name, newName) = try arguments.required("name", "new_name")
            _ = try validChannel(newName)
            operation = .renameChannel(name: name, newName: newName)
            action = .renameChannel(name: name, newName: newName)
        case .aclList:
            operation = .aclList(channel: try arguments.required("channel"))
        case .banList:
            operation = .banList(channel: try arguments.required("channel"))
        case .inviteList:
            operation = .inviteList(channel: try arguments.required("channel"))
        default:
            throw .init(message: "`\(tool.rawValue)` is not a moderation tool")
        }
        guard let server = servers[key] else { throw .init(message: "not linked to `\(key)`") }
        if !server.isServerAdmin {
            if let channel = operation.channelName, !server.administered.contains(channel) {
                throw .init(message: "not an admin of `\(channel)` on `\(key)` (only its creator and server admins may do this)")
            }
            if operation.channelName == nil, server.administered.isEmpty {
                throw .init(message: "not an admin on `\(key)`")
            }
        }
        enqueue(key, .tool(id: id, action: action), .admin(operation))
    }

    private func setPerm(id: JSONValue, arguments: ToolArguments) throws(ToolArguments.Invalid) {
        guard let token = try arguments.string("level"), let level = try? PermissionLevel(token: token) else {
            throw .init(message: "`level` must be mute, notify, converse, or act")
        }
        let whisper = try arguments.bool("whisper")
        let channel = try arguments.string("channel")
        var server: ServerURL?
        var scope: PermissionScope?
        var described = "the machine default"
        switch (channel, whisper) {
        case (.some, true):
            throw .init(message: "pass either `channel` or `whisper`, not both")
        case let (.some(name), false):
            let key = try resolveServer(arguments)
            server = servers[key]?.url
            scope = .channel(name)
            described = "`\(name)` on `\(key)`"
        case (nil, true):
            let key = try resolveServer(arguments)
            server = servers[key]?.url
            scope = .whisper
            described = "whispers on `\(key)`"
        case (nil, false):
            if try arguments.string("server") != nil {
                throw .init(message: "`server` needs `channel` or `whisper`; without them the level is the machine default")
            }
        }
        try refuseRaise(to: level, server: server, scope: scope, described: described)
        do {
            try persistLevel(level, server: server, scope: scope)
        } catch {
            throw .init(message: "could not save the level: \(error)")
        }
        answer(id, "permission updated: \(described) is now \(level) (saved to config.toml)")
    }

    /// An agent may lower its autonomy, never raise it: a higher level than the one in force for
    /// the scope needs a person (`conclave perm set`, which the agent's tools cannot run).
    private func refuseRaise(to level: PermissionLevel, server: ServerURL?, scope: PermissionScope?, described: String) throws(ToolArguments.Invalid) {
        let current = if let server, let scope { config.permission(server: server, scope: scope) } else { config.defaultPermission }
        guard level > current else { return }
        let target = if let server, let scope {
            "--server \(server.text)" + (scope.channelName.map { " --channel \($0)" } ?? " --whisper")
        } else {
            ""
        }
        throw .init(
            message: "permission denied: \(described) is \(current); a session may lower its level but not raise it. "
                + "Ask the human to run `conclave perm set \(level)\(target.isEmpty ? "" : " " + target)`.")
    }

    /// The server and message id an `ack` or `receipts` call is about: the server the id came
    /// from (or was sent to), else the one `server` names or the only one linked.
    private func receiptTarget(_ arguments: ToolArguments) throws(ToolArguments.Invalid) -> (key: String, id: UInt64) {
        let text = try arguments.required("id")
        guard let messageID = UInt64(text) else {
            throw .init(message: "`\(ChannelFraming.peerText(text))` is not a message id with receipts (only messages from servers that support receipts have numeric ids)")
        }
        let key: String
        if let known = messageServers[messageID] {
            key = known
        } else {
            key = try resolveServer(arguments)
        }
        guard servers[key]?.receipts == true else {
            throw .init(message: "`\(key)` does not support receipts (a server without the receipts extension, or not connected yet)")
        }
        return (key, messageID)
    }

    /// The message a `reply_to` names, if any (it must be a message this session received).
    private func replyTarget(_ arguments: ToolArguments) throws(ToolArguments.Invalid) -> (server: String, id: UInt64)? {
        guard let text = try arguments.string("reply_to") else { return nil }
        guard let messageID = UInt64(text), let server = messageServers[messageID] else {
            throw .init(message: "`reply_to`: no recent message with id `\(ChannelFraming.peerText(text))` reached this session")
        }
        return (server, messageID)
    }

    /// The server a tool call targets.
    func resolveServer(_ arguments: ToolArguments) throws(ToolArguments.Invalid) -> String {
        if let given = try arguments.string("server") {
            guard let key = serverKey(named: given), let server = servers[key] else {
                throw .init(message: "not linked to server `\(given)` (linked: \(order.joined(separator: ", ")))")
            }
            if let failure = server.failure { throw .init(message: failure) }
            return key
        }
        let usable = order.filter { servers[$0]?.failure == nil }
        if usable.count == 1 { return usable[0] }
        if order.count == 1, let failure = servers[order[0]]?.failure { throw .init(message: failure) }
        if usable.isEmpty { throw .init(message: "no server is usable by this bridge") }
        throw .init(message: "several servers are linked; pass `server` (one of: \(usable.joined(separator: ", ")))")
    }

    /// Queues a request on `key` and sends it if the link is idle.
    func enqueue(_ key: String, _ purpose: RequestPurpose, _ frame: ProtocolMessage, first: Bool = false) {
        servers[key]?.requests.enqueue(purpose, frame: frame, deadline: .now + settings.connectTimeout, first: first)
        pump(key)
    }

    /// Sends the next request of `key` when none is in flight and the link is up.
    func pump(_ key: String) {
        guard let connection = servers[key]?.connection,
            let frame = servers[key]?.requests.frameToSend(replyDeadline: .now + settings.replyTimeout)
        else { return }
        connection.send(signedForSending(frame, server: key))
    }

    /// `frame` as it leaves for `key`: posts and whispers signed when the connection speaks
    /// `signatures`. Signed as they leave rather than when asked for, so a request queued while
    /// the link was down is signed for the connection (path, server, clock) that carries it.
    private func signedForSending(_ frame: ProtocolMessage, server key: String) -> ProtocolMessage {
        guard let trust = servers[key]?.trust, let path = servers[key]?.path else { return frame }
        let now = wallClock()
        do {
            switch frame {
            case let .channelMessage(channel, _, payload):
                return try trust.post(payload, to: channel, as: path, nowMs: now)
            case let .whisper(_, target, payload):
                return try trust.whisper(payload, to: target, as: path, nowMs: now)
            case let .heldWhisper(target, payload, holdSeconds):
                return try trust.whisper(payload, to: target, as: path, holdSeconds: holdSeconds, nowMs: now)
            default:
                return frame
            }
        } catch {
            // Only the random nonce can fail; the message still goes, unsigned, and shows as
            // unverified, which is what it then is.
            logger.error("could not sign a message; sending it unsigned", metadata: ["server": "\(key)", "error": "\(error)"])
            return frame
        }
    }

    /// Answers a failed request (internal requests just end).
    func fail(_ entry: RequestQueue<RequestPurpose>.Entry, _ text: String) {
        if let id = entry.purpose.toolID, !entry.cancelled {
            answer(id, text, isError: true)
        }
    }

    /// Spends one message of the emit budget towards `target` on `key` (a channel, or `@path` for
    /// a whisper) and records it in that conversation, or refuses with the reason.
    private func admitEmit(key: String, target: String, label: String) throws(ToolArguments.Invalid) {
        let conversation = "\(key) \(target)"
        let now = wallClock()
        if let refusal = flood.admitEmit(to: conversation, label: label, nowMs: now) {
            throw .init(message: refusal)
        }
        // This message would complete a loop: it is not sent, and the pause starts now.
        if let partner = flood.record(speaker: ownPath(key).description, isOwn: true, in: conversation, nowMs: now) {
            loopDetected(partner: partner, label: label, server: key)
            throw .init(message: flood.admitEmit(to: conversation, label: label, nowMs: now) ?? "paused: a loop with `\(partner)`")
        }
    }

    /// This session's path on `key`: as the server established it, else as configured.
    func ownPath(_ key: String) -> SessionPath {
        if let path = servers[key]?.path { return path }
        let registration = servers[key]?.registration
        return SessionPath(user: registration?.username ?? "", machine: registration?.machine ?? "", session: handle.name(on: key))
    }

    private func catchUpStart(_ key: String, _ channel: String, _ arguments: ToolArguments) throws(ToolArguments.Invalid) -> Int64 {
        if let since = try arguments.string("since") {
            let seconds: UInt64
            do {
                seconds = try DurationText.seconds(parsing: since)
            } catch {
                throw .init(message: "invalid `since`: \(error)")
            }
            let span = Int64(clamping: seconds).multipliedReportingOverflow(by: 1000)
            return span.overflow ? 0 : max(0, wallClock() - span.partialValue)
        }
        // Pages end on whole milliseconds, so continuing from the newest history timestamp
        // neither skips nor repeats; live messages carry only this machine's clock, hence slack.
        let server = servers[key]
        let fromHistory = server?.historyMark[channel] ?? 0
        let fromLive = server?.liveMark[channel].map { $0 - settings.catchUpSlackMs } ?? 0
        return max(0, fromHistory, fromLive)
    }

    private func validChannel(_ name: String) throws(ToolArguments.Invalid) -> String {
        do {
            try SessionPath.validateComponent(name, kind: .channel)
        } catch {
            throw .init(message: "\(error)")
        }
        return name
    }

    /// Agents may not send text that parses as a permission-relay message. This is hygiene, not
    /// the defence: a verdict counts only with a code sealed to the approver's key.
    private func refuseRelayLookalike(_ text: String) throws(ToolArguments.Invalid) {
        if RelayMessage.isRelayShaped(text) {
            throw .init(message: "this text looks like a Conclave permission message, which sessions may not send")
        }
    }

    static func level(_ token: String) throws(ToolArguments.Invalid) -> PermissionLevel {
        guard let level = try? PermissionLevel(token: token) else {
            throw .init(message: "unknown permission level `\(token)` (expected mute, notify, converse, or act)")
        }
        return level
    }

    static func visibility(_ token: String) throws(ToolArguments.Invalid) -> Visibility {
        guard let visibility = try? Visibility(token: token) else {
            throw .init(message: "unknown visibility `\(token)` (expected public, unlisted, or private)")
        }
        return visibility
    }
}

extension AdminOp {
    /// The channel an operation acts on, if it acts on one.
    var channelName: String? {
        switch self {
        case let .deleteChannel(name), let .renameChannel(name, _), let .setVisibility(name, _): name
        case let .aclAdd(channel, _), let .aclRemove(channel, _), let .ban(channel, _), let .unban(channel, _),
            let .kick(channel, _), let .inviteCreate(channel, _, _), let .aclList(channel), let .banList(channel),
            let .inviteList(channel):
            channel
        default: nil
        }
    }
}
