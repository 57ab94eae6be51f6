import ConclaveClient
import ConclaveIdentity
public import ConclaveProtocol

extension BridgeCore {
    /// A frame from `key`'s live connection.
    public func received(_ frame: ProtocolMessage, from key: String) {
        guard let server = servers[key] else { return }
        // Most frames (deliveries, pongs, receipts) change nothing the tool list depends on.
        let gatesBefore = server.toolGates, generationBefore = configGeneration
        defer {
            if servers[key]?.toolGates != gatesBefore || configGeneration != generationBefore { refreshTools() }
        }
        switch InboundRole(frame) {
        case let .push(message):
            let provenance = server.opener.provenance(of: message, nowMs: wallClock())
            if case .invalid = provenance {
                logger.warning("a message failed its signature check", metadata: ["server": "\(key)", "from": "\(message.from)"])
            }
            if !holdForKeys(message, provenance: provenance, server: key) { deliver(message, provenance: provenance, server: key) }
        case .receiptUpdate:
            // Unsolicited news about this session's own messages; `receipts` asks when needed.
            break
        case .status:
            if case let .serverInfo(admin) = frame { servers[key]?.isServerAdmin = admin }
        case .reply:
            if case let .error(error) = frame, servers[key]?.requests.hasRequestInFlight != true {
                // Unsolicited: the server is about to end this session. Say why when the link drops.
                servers[key]?.link.serverSaid("\(error)")
                logger.warning("server error outside any request", metadata: ["server": "\(key)", "error": "\(error)"])
                break
            }
            guard let entry = servers[key]?.requests.completeHead() else {
                logger.debug("reply with no request in flight ignored", metadata: ["server": "\(key)", "frame": "\(frame.name)"])
                break
            }
            complete(entry, reply: frame, server: key)
            pump(key)
        }
    }

    // MARK: Deliveries

    /// Shows a message to the agent (or reports why not).
    func deliver(_ message: ReceivedMessage, provenance: Provenance, server key: String) {
        switch message.target {
        case let .channel(channel):
            deliverChannelMessage(channel: channel, from: message.from, payload: message.payload, provenance: provenance, server: key, id: message.id)
        case .session:
            deliverWhisper(from: message.from, payload: message.payload, provenance: provenance, server: key, id: message.id)
        }
    }

    /// The level a message gets: the one set for where it arrived, capped at notify when its
    /// signature does not check out (a forged or altered message may be shown, never acted on).
    private func effectiveLevel(_ level: PermissionLevel, _ provenance: Provenance) -> PermissionLevel {
        guard case .invalid = provenance else { return level }
        return min(level, .notify)
    }

    private func deliverChannelMessage(
        channel: String, from: SessionPath, payload: Payload, provenance: Provenance, server key: String, id: UInt64?
    ) {
        guard let server = servers[key] else { return }
        report(id, on: key, .delivered)
        // The server delivers only to subscribers, so this session is in the channel (after a
        // rename, for example) whatever it believed.
        servers[key]?.joined.insert(channel)
        let level = effectiveLevel(config.permission(server: server.url, scope: .channel(channel)), provenance)
        // A muted message is not "seen": catch_up can still return it (reference gap 17).
        guard level != .mute else {
            report(id, on: key, .held, detail: "muted by the recipient's level")
            return
        }
        let now = wallClock()
        watchForPingPong(speaker: from, conversation: "\(key) \(channel)", label: "#\(channel)", server: key, nowMs: now)
        switch flood.admitInjection(nowMs: now) {
        case let .hold(firstHeld):
            report(id, on: key, .held, detail: "the recipient's inbound budget")
            // Not "seen" either: catch_up returns it, like a muted message.
            if firstHeld {
                notice(
                    "Inbound budget reached (\(config.flood.injectPerWindow) messages per \(config.flood.injectWindowSeconds) s): "
                        + "further channel messages are held, not shown; catch_up on each channel retrieves them.",
                    kind: .notice, server: key)
                logger.warning("inbound budget reached; holding channel messages", metadata: ["server": "\(key)"])
            }
            return
        case let .inject(released):
            if released > 0 {
                notice("\(released) channel message(s) were held by the inbound budget; catch_up retrieves them.", kind: .notice, server: key)
            }
        }
        servers[key]?.liveMark[channel] = now
        // In place (no copy of the list per message); trimmed in batches, so the shift is
        // amortised over `injectedMemory` messages.
        servers[key]?.injected[channel, default: []].append(InjectedMessage(from: from, payload: payload, atMs: now))
        if let count = servers[key]?.injected[channel]?.count, count > 2 * Self.injectedMemory {
            servers[key]?.injected[channel]?.removeFirst(count - Self.injectedMemory)
        }
        present(InboundMessage(
            id: "", kind: .channel, server: key, channel: channel, from: from.description,
            body: server.opener.open(payload, in: channel, from: from).displayText, level: level, atMs: now, receiptID: id,
            provenance: provenance))
    }

    private func deliverWhisper(from: SessionPath, payload: Payload, provenance: Provenance, server key: String, id: UInt64?) {
        guard let server = servers[key] else { return }
        report(id, on: key, .delivered)
        if let notice = ServerNotice.text(from: from, payload: payload, declaredSender: server.noticeSender) {
            serverNotice(notice, server: key)
            return
        }
        if case let .plain(text) = payload, RelayMessage.isRelayShaped(text) {
            // Relay traffic is for approval consoles and this bridge's own bookkeeping; the agent
            // never sees it, whatever it says (a request is sealed to a key the agent lacks anyway).
            if case let .verdict(requestID, code)? = RelayMessage(text: text) {
                acceptVerdict(requestID: requestID, code: code, from: from, server: key)
            }
            report(id, on: key, .refused, detail: "permission-relay traffic is never shown to the agent")
            return
        }
        let level = effectiveLevel(config.permission(server: server.url, scope: .whisper), provenance)
        guard level != .mute else {
            report(id, on: key, .held, detail: "muted by the recipient's level")
            return
        }
        let now = wallClock()
        watchForPingPong(speaker: from, conversation: "\(key) @\(from)", label: "`\(from)`", server: key, nowMs: now)
        present(InboundMessage(
            id: "", kind: .whisper, server: key, from: from.description, body: ChannelFraming.body(payload), level: level, atMs: now,
            receiptID: id, provenance: provenance))
    }

    /// Pauses this session's messages to a conversation that became a loop with one other
    /// session, and says so where the human will see it.
    private func watchForPingPong(speaker: SessionPath, conversation: String, label: String, server key: String, nowMs: Int64) {
        guard let partner = flood.record(speaker: speaker.description, isOwn: false, in: conversation, nowMs: nowMs) else { return }
        loopDetected(partner: partner, label: label, server: key)
    }

    /// Tells the session (and so the human watching it) that a loop paused its emits.
    func loopDetected(partner: String, label: String, server key: String) {
        let minutes = max(1, config.flood.pingPongPauseSeconds / 60)
        notice(
            "Loop detected: this session and `\(partner)` answered each other \(config.flood.pingPongTurns) times in a row in \(label) "
                + "with nobody else in between. Your messages there are paused for \(minutes) min, or until someone else speaks. "
                + "Human: check whether this exchange is useful before letting it continue.",
            kind: .notice, server: key)
        logger.warning("ping-pong loop detected; emits paused", metadata: ["server": "\(key)", "partner": "\(partner)"])
    }

    /// The server told this session something happened to it (kicked, banned, a channel deleted
    /// or renamed). The text is shown, and each joined channel is checked, so the joined set
    /// follows (reference gap 16).
    private func serverNotice(_ text: String, server key: String) {
        notice("Server `\(key)`: \(ChannelFraming.peerText(text))", kind: .notice, server: key)
        for channel in servers[key]?.joined.sorted() ?? [] {
            enqueue(key, .membershipCheck(channel: channel, notice: text), .who(channel: channel))
        }
    }

    /// Learns whether this session administers `channel`, asking the server only when the answer
    /// can be yes: a server admin administers every channel, a channel created here is known,
    /// and otherwise `ListChannels` (never refused) shows whether an `AclList` probe is worth it.
    private func learnRole(in channel: String, server key: String) {
        guard let server = servers[key] else { return }
        if server.isServerAdmin {
            servers[key]?.administered.insert(channel)
        } else if !server.administered.contains(channel) {
            enqueue(key, .roleCheck(channel: channel), .listChannels)
        }
    }

    /// A `catch_up` page as the agent reads it, each message with what its signature says.
    private func catchUpOutcome(
        _ page: [SignedHistoryMessage], channel: String, requested: String, continuing: Bool, server key: String
    ) -> (text: String, isError: Bool) {
        let name = ChannelFraming.peerText(channel)
        guard let newest = page.map(\.message.tsMs).max() else {
            return ("#\(name): no retained messages in that window", false)
        }
        let mark = max(servers[key]?.historyMark[requested] ?? 0, newest)
        servers[key]?.historyMark[requested] = mark
        // Continuing (no `since`): what was already shown live is not shown again.
        let messages = continuing ? withoutInjected(page, channel: requested, server: key) : page
        guard !messages.isEmpty else {
            return ("#\(name): nothing new since the messages already shown in this session", false)
        }
        let opener = servers[key]?.opener ?? PayloadOpener()
        let now = wallClock()
        let checked = messages.map { entry in
            (entry.message, opener.provenance(of: entry, in: channel, nowMs: now),
             body: Optional(opener.open(entry.message.payload, in: channel, from: entry.message.from).displayText))
        }
        var text = ChannelFraming.historyContent(server: key, channel: channel, messages: checked)
        if HistoryPaging.mayContinue(count: page.count, bytes: page.reduce(0) { $0 + $1.message.payload.wireBytes.count }) {
            text += "\nThis page may not be the end: call catch_up again without `since` for the next one."
        }
        return (text, false)
    }

    /// `page` without the messages this session was shown live. Live frames carry no server
    /// time, so a message matches by sender and body, with its history time within the catch-up
    /// slack of when it was shown; each shown message removes at most one.
    private func withoutInjected(_ page: [SignedHistoryMessage], channel: String, server key: String) -> [SignedHistoryMessage] {
        var remembered = servers[key]?.injected[channel] ?? []
        let slack = settings.catchUpSlackMs
        let kept = page.filter { entry in
            let message = entry.message
            guard let index = remembered.firstIndex(where: {
                $0.from == message.from && $0.payload == message.payload && abs($0.atMs - message.tsMs) <= slack
            }) else { return true }
            remembered.remove(at: index)
            return false
        }
        servers[key]?.injected[channel] = remembered
        return kept
    }

    /// What a session can do in `channel` now, named: clients that defer MCP tools behind a
    /// search (Claude Code does) do not announce a tool that became available in this turn.
    func nextSteps(in channel: String, server key: String) -> String {
        let name = ChannelFraming.peerText(channel)
        guard let url = servers[key]?.url else { return "" }
        let level = config.permission(server: url, scope: .channel(channel))
        if level.mayEmit {
            return "Level \(level) here: post with the send_channel tool (channel: \"\(name)\"); "
                + "catch_up reads its history, who lists who is here."
        }
        return "Level \(level) here: its messages reach this session as notifications; do not reply to them. "
            + "catch_up reads its history, who lists who is here. Posting needs a human to raise the level "
            + "(`conclave perm set converse --channel \(name)`)."
    }

    // MARK: Replies

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    func complete(_ entry: RequestQueue<RequestPurpose>.Entry, reply: ProtocolMessage, server key: String) {
        switch entry.purpose {
        case let .tool(id, action):
            let outcome = toolOutcome(action, reply: reply, server: key)
            if !entry.cancelled { answer(id, outcome.text, isError: outcome.isError) }
        case let .resubscribe(channel):
            if case .joined = reply {
                learnRole(in: channel, server: key)
            } else {
                servers[key]?.joined.remove(channel)
                servers[key]?.administered.remove(channel)
                notice("Could not rejoin #\(ChannelFraming.peerText(channel)) on `\(key)` after reconnecting: \(Self.describe(reply)). It was removed from this session's channels.", kind: .notice, server: key)
            }
        case let .roleCheck(channel):
            // Only the creator or an ACL member can be a channel admin, and only an ACL member is
            // listed with `member`; anyone else would just earn an "admin role required" refusal.
            let isMember: Bool = if case let .channelList(channels) = reply {
                channels.contains { $0.name == channel && $0.member }
            } else {
                false
            }
            if isMember {
                enqueue(key, .adminProbe(channel: channel), .admin(.aclList(channel: channel)))
            } else {
                servers[key]?.administered.remove(channel)
            }
        case let .adminProbe(channel):
            if case .userList = reply {
                servers[key]?.administered.insert(channel)
            } else {
                servers[key]?.administered.remove(channel)
            }
        case let .membershipCheck(channel, text):
            let stillIn: Bool = if case let .presence(_, sessions) = reply { sessions.contains(ownPath(key)) } else { false }
            if !stillIn, servers[key]?.joined.remove(channel) != nil {
                servers[key]?.administered.remove(channel)
                notice("This session no longer receives #\(ChannelFraming.peerText(channel)) on `\(key)` (\(ChannelFraming.peerText(text))).", kind: .notice, server: key)
            }
        case let .approverKeys(requestID):
            guard case let .machineList(machines) = reply else { return }
            recordMachineKeys(machines, requestID: requestID, server: key)
        case let .approverLookup(requestID):
            guard case let .presence(_, sessions) = reply else { return }
            deliverApprovalRequest(requestID, to: sessions, server: key)
        case .approverDelivery:
            break
        case .announce, .encryptedList, .seal, .keyShare, .channelKeys:
            completeEndToEnd(entry, reply: reply, server: key)
        }
    }

    // One case per reply kind keeps every tool's result text in one place.
    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private func toolOutcome(_ action: ToolAction, reply: ProtocolMessage, server key: String) -> (text: String, isError: Bool) {
        if case let .error(.unauthorized(detail)) = reply, let channel = action.subscribedChannel, Refusal.Kind(.unauthorized(detail)) == .notMember {
            // The server's one text for "not subscribed" (and for a missing channel) reads as a
            // membership problem; what the agent needs is the next step.
            servers[key]?.joined.remove(channel)
            return ("\(ChannelFraming.peerText(detail)): this session is not subscribed to it (it never joined, left, or was kicked). "
                + "Call join_channel first; after a kick from a public or unlisted channel, joining again is allowed.", true)
        }
        if case let .error(error) = reply { return (ChannelFraming.peerText("\(error)"), true) }
        let name = ChannelFraming.peerText
        switch (action, reply) {
        case let (.join(_, level), .joined(channel)):
            servers[key]?.joined.insert(channel)
            learnRole(in: channel, server: key)
            guard let level, let url = servers[key]?.url else { return ("joined \(name(channel))\n\(nextSteps(in: channel, server: key))", false) }
            do {
                try persistLevel(level, server: url, scope: .channel(channel))
                return ("joined \(name(channel)) (level \(level), saved)\n\(nextSteps(in: channel, server: key))", false)
            } catch {
                return ("joined \(name(channel)), but the level could not be saved: \(error)", true)
            }
        case let (.leave(channel), .ack):
            return ("left \(name(channel))", false)
        case let (.listChannels, .channelList(channels)):
            guard !channels.isEmpty else { return ("no channels visible", false) }
            return (channels.map { "\(name($0.name)) (\($0.visibility)\($0.member ? ", member" : ""))" }.joined(separator: "\n"), false)
        case let (.who, .presence(channel, sessions)):
            let scope = channel.map { "#\(name($0))" } ?? "server-wide"
            return (sessions.isEmpty ? "\(scope): nobody online" : "\(scope): " + sessions.map { name($0.description) }.joined(separator: ", "), false)
        case let (.catchUp(requested, continuing), .history(channel, page)):
            let unsigned = page.map { SignedHistoryMessage(message: $0, signature: nil) }
            return catchUpOutcome(unsigned, channel: channel, requested: requested, continuing: continuing, server: key)
        case let (.catchUp(requested, continuing), .signedHistory(channel, page)):
            return catchUpOutcome(page, channel: channel, requested: requested, continuing: continuing, server: key)
        case let (.send(channel), .ack):
            return ("sent to \(name(channel))", false)
        case let (.send(channel), .posted(id)):
            remember(id, on: key)
            return ("sent to \(name(channel)) (id \(id); the receipts tool shows who got it)", false)
        case (.whisper, .ack):
            return ("whisper sent", false)
        case let (.whisper, .posted(id)):
            remember(id, on: key)
            return ("whisper sent (id \(id); the receipts tool shows whether it arrived)", false)
        case let (.receipts, .receiptList(id, records)):
            guard !records.isEmpty else { return ("message \(id): no recipient yet", false) }
            return ("message \(id):\n" + records.map { record in
                let detail = record.detail.map { " (\(name($0)))" } ?? ""
                return "\(name(record.recipient.description)): \(record.state) at \(ChannelFraming.timestamp(record.atMs))\(detail)"
            }.joined(separator: "\n"), false)
        case let (.createChannel(created), .ack(detail)):
            servers[key]?.administered.insert(created)
            return (name(detail ?? created), false)
        case let (.deleteChannel(deleted), .ack(detail)):
            servers[key]?.joined.remove(deleted)
            servers[key]?.administered.remove(deleted)
            return (name(detail ?? deleted), false)
        case let (.renameChannel(old, newName), .ack(detail)):
            followRename(from: old, to: newName, server: key)
            return (name(detail ?? newName), false)
        case let (.moderation, .ack(detail)):
            return (name(detail ?? "ok"), false)
        case let (.moderation, .userList(users)):
            return (users.isEmpty ? "nobody" : users.map(name).joined(separator: ", "), false)
        case let (.moderation, .inviteToken(token)):
            return ("invite token: \(name(token))", false)
        case let (.moderation, .inviteList(invites)):
            guard !invites.isEmpty else { return ("no outstanding invites", false) }
            return (invites.map { invite in
                let uses = invite.usesRemaining.map(String.init) ?? "unlimited"
                return "\(name(invite.token)) (uses remaining: \(uses), expires: \(name(invite.expiresAt ?? "never")))"
            }.joined(separator: "\n"), false)
        default:
            return ("unexpected reply from `\(name(key))`: \(reply.name)", true)
        }
    }

    /// Moves local state (joined set, admin set, watermarks, the saved level) to the new name.
    private func followRename(from name: String, to newName: String, server key: String) {
        guard var server = servers[key] else { return }
        if server.joined.remove(name) != nil { server.joined.insert(newName) }
        if server.administered.remove(name) != nil { server.administered.insert(newName) }
        server.historyMark[newName] = server.historyMark.removeValue(forKey: name)
        server.liveMark[newName] = server.liveMark.removeValue(forKey: name)
        servers[key] = server
        let url = server.url
        if let override = config.overrides.first(where: { $0.matches(url, .channel(name)) }) {
            try? persistLevel(override.level, server: url, scope: .channel(newName))
        }
    }

    static func describe(_ reply: ProtocolMessage) -> String {
        if case let .error(error) = reply { return ChannelFraming.peerText("\(error)") }
        return "unexpected reply \(reply.name)"
    }
}
