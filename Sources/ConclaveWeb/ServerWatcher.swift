import ConclaveBridge
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Logging

/// Follows one registered server for the console: joins every channel this person may read,
/// keeps what arrives in the index, and carries out what the page asks, reconnecting with
/// backoff until the console stops.
///
/// It is one session (`web-<pid>` by default), which other people see in presence like any
/// other session of this person's.
struct ServerWatcher: Sendable {
    let url: ServerURL
    let client: ControlClient
    let directory: ConfigDirectory
    let state: ConsoleState
    let index: ConsoleIndex
    let inbox: CommandInbox
    let logger: Logger

    /// How often the channel list and presence are read again (new channels, who came and went).
    static let refreshInterval: Duration = .seconds(10)
    /// How far back a channel's history is read the first time (a default server keeps 7 days).
    static let firstBackfillMs: Int64 = 7 * 24 * 3600 * 1000
    /// Most history pages read per channel at a time (each at most a server page).
    static let historyPages = 200
    /// Most channels followed per server.
    static let channelLimit = 500

    var key: String { url.normalized }

    /// Runs until cancelled.
    func run() async {
        var backoff = ReconnectBackoff()
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let key = key
            do {
                try await client.withSession { session in try await follow(&session) }
                await state.update(key) { $0.status = .reconnecting; $0.detail = "the server closed the connection"; $0.path = nil }
            } catch let TransportError.handshakeRejected(_, refusal) {
                // Retried all the same, slowly: an operator may enrol the machine again.
                await state.update(key) { $0.status = .refused; $0.detail = "\(refusal)"; $0.path = nil }
            } catch {
                if Task.isCancelled { return }
                await state.update(key) { $0.status = .reconnecting; $0.detail = "\(error)"; $0.path = nil }
            }
            inbox.detach()
            backoff.connectionEnded(after: started.duration(to: .now))
            do {
                try await Task.sleep(for: backoff.nextDelay())
            } catch {
                return
            }
        }
    }

    /// What one connection knows as it goes.
    private struct Following {
        var joined: Set<String> = []
        var encrypted: Set<String> = []
        var refreshed = ContinuousClock.now
        var refreshSoon = false
        /// When each channel's keys were last fetched for a post no key opened: a peer posting
        /// envelopes nobody can open must not make every one of them a request.
        var keysFetched: [String: ContinuousClock.Instant] = [:]
    }

    private func follow(_ session: inout ControlSession) async throws {
        let trust = MessageTrust(session: session, key: client.key, knownKeys: KnownKeys(path: directory.knownKeysPath))
        let channels = try EndToEndChannels(session: session, key: client.key, directory: directory)
        let opener = PayloadOpener(trust: trust, endToEnd: channels)
        if let channels { _ = try await session.request(channels.announcement(nowMs: EpochClock.nowMs())) }
        var following = Following()
        try await refresh(&session, &following, opener)
        let path = session.path.description
        await state.update(key) { $0.status = .connected; $0.detail = nil; $0.path = path }
        inbox.attach(session.outbound)
        defer { inbox.detach() }
        _ = try await session.stream(pingEvery: .seconds(5), silenceLimit: .seconds(30)) { session, frame -> Never? in
            try await handle(frame, &session, &following, opener)
            while let (command, finish) = inbox.take() {
                do {
                    finish(try await perform(command, &session, opener))
                } catch {
                    finish(.failure(ConsoleFailure("\(error)")))
                    throw error
                }
            }
            if following.refreshSoon || following.refreshed.duration(to: .now) >= Self.refreshInterval {
                try await refresh(&session, &following, opener)
            }
            return nil
        }
    }

    // MARK: Channels and presence

    private func refresh(_ session: inout ControlSession, _ following: inout Following, _ opener: PayloadOpener) async throws {
        following.refreshed = .now
        following.refreshSoon = false
        guard case let .channelList(listed) = try await session.request(.listChannels) else { return }
        if opener.endToEnd != nil, case let .encryptedChannels(names) = try await session.request(.listEncrypted) {
            following.encrypted = Set(names)
        }
        let readable = listed.filter { $0.visibility == .public || $0.member }.prefix(Self.channelLimit)
        following.joined.formIntersection(readable.map(\.name))
        for channel in readable where !following.joined.contains(channel.name) {
            // A ban or a race with a delete refuses the join: the channel is listed, not followed.
            guard case .joined = try await session.request(.join(channel: channel.name, token: nil)) else { continue }
            following.joined.insert(channel.name)
            if following.encrypted.contains(channel.name) { try await fetchKeys(channel.name, &session, opener) }
            try await backfill(channel.name, &session, opener)
        }
        var sessions: [String] = []
        if case let .presence(_, paths) = try await session.request(.who(channel: nil)) { sessions = paths.map(\.description).sorted() }
        var views: [ConsoleState.Channel] = []
        for channel in readable {
            var present: [String] = []
            if following.joined.contains(channel.name), case let .presence(_, paths) = try await session.request(.who(channel: channel.name)) {
                present = paths.map(\.description).sorted()
            }
            views.append(ConsoleState.Channel(
                name: channel.name, visibility: "\(channel.visibility)", member: channel.member,
                encrypted: following.encrypted.contains(channel.name), joined: following.joined.contains(channel.name),
                present: present, unread: 0))
        }
        let (channelViews, sessionList) = (views, sessions)
        await state.update(key) {
            $0.channels = channelViews
            $0.sessions = sessionList
        }
    }

    private func fetchKeys(_ channel: String, _ session: inout ControlSession, _ opener: PayloadOpener) async throws {
        guard let channels = opener.endToEnd,
              case let .channelKeys(_, keys) = try await session.request(.channelKeysQuery(channel: channel))
        else { return }
        for refusal in (try? channels.accept(keys, in: channel)) ?? [] {
            logger.warning("a channel key share was refused", metadata: ["server": "\(key)", "reason": "\(refusal)"])
        }
    }

    /// Reads what the channel holds that the index does not, page by page.
    private func backfill(_ channel: String, _ session: inout ControlSession, _ opener: PayloadOpener) async throws {
        let conversation = ConsoleMessage.channel(channel)
        let now = EpochClock.nowMs()
        var since = ((try? index.newestStamp(server: key, conversation: conversation)) ?? nil).map { $0 - ConsoleIndex.duplicateWindowMs }
            ?? now - Self.firstBackfillMs
        var added = 0
        for _ in 0..<Self.historyPages {
            let entries: [(message: HistoryMessage, provenance: Provenance)]
            switch try await session.request(.readSince(channel: channel, sinceMs: since)) {
            case let .signedHistory(_, page):
                entries = page.map { ($0.message, opener.provenance(of: $0, in: channel, nowMs: now)) }
            case let .history(_, page):
                let unsigned = opener.trust == nil ? MessageTrust.withoutSignatures : Provenance.unverified(reason: "not signed")
                entries = page.map { ($0, unsigned) }
            default:
                entries = []
            }
            guard let last = entries.last?.message.tsMs, last > since else { break }
            for (message, provenance) in entries {
                let opened = opener.open(message.payload, in: channel, from: message.from)
                let kept = ConsoleMessage(
                    server: key, conversation: conversation, sender: message.from.description, tsMs: message.tsMs,
                    text: opened.displayText, trust: provenance.mark, trustNote: provenance.reason, encrypted: opened.wasEncrypted,
                    outgoing: false)
                if (try? index.add(kept)) ?? nil != nil { added += 1 }
            }
            since = last
        }
        if added > 0 { await state.historyAdded(server: key, conversation: conversation) }
    }

    // MARK: Frames

    private func handle(
        _ frame: ProtocolMessage, _ session: inout ControlSession, _ following: inout Following, _ opener: PayloadOpener
    ) async throws {
        if case let .error(error) = frame {
            // Another connection on this session path (a second console with the same --as):
            // end this one rather than evict each other for ever.
            if Refusal.Kind(error) == .superseded { throw ConsoleFailure("another connection took over this console's session: \(error)") }
            logger.warning("the server refused something", metadata: ["server": "\(key)", "error": "\(error)"])
            return
        }
        guard let message = ReceivedMessage(frame) else { return }
        let now = EpochClock.nowMs()
        let provenance = opener.provenance(of: message, nowMs: now)
        let conversation: String
        switch message.target {
        case let .channel(name):
            if opener.lacksKey(for: message), following.keysFetched[name].map({ $0.duration(to: .now) > .seconds(2) }) ?? true {
                following.keysFetched[name] = .now
                try await fetchKeys(name, &session, opener)
            }
            conversation = ConsoleMessage.channel(name)
        case .session:
            if ServerNotice.text(from: message.from, payload: message.payload, declaredSender: session.noticeSender) != nil {
                // Kicked, banned, a channel renamed or deleted: read the channels again.
                following.refreshSoon = true
            } else if case let .plain(text) = message.payload, let relay = RelayMessage(text: text) {
                await relayed(relay, from: message.from, provenance: provenance, nowMs: now)
                return
            }
            conversation = ConsoleMessage.whispers(with: message.from.description)
        }
        let opened = opener.open(message)
        let kept = ConsoleMessage(
            server: key, conversation: conversation, sender: message.from.description, tsMs: now, text: opened.displayText,
            trust: provenance.mark, trustNote: provenance.reason, encrypted: opened.wasEncrypted, outgoing: false)
        await keep(kept)
    }

    /// A permission request: shown when it opens with this machine's key and names the session
    /// that sent it as its requester (the rules of `conclave approve`). Verdicts are for bridges.
    private func relayed(_ relay: RelayMessage, from: SessionPath, provenance: Provenance, nowMs: Int64) async {
        guard case let .request(sealed) = relay else { return }
        guard let prompt = ApprovalPrompt(opening: sealed, with: client.key), prompt.requester == from.description else {
            logger.warning("a permission request was ignored: not sealed to this machine, or forwarded", metadata: ["server": "\(key)", "from": "\(from)"])
            return
        }
        if case .invalid = provenance {
            logger.warning("a permission request with an invalid signature was ignored", metadata: ["server": "\(key)", "from": "\(from)"])
            return
        }
        await state.addPrompt(prompt, from: from, server: key, nowMs: nowMs)
    }

    private func keep(_ message: ConsoleMessage) async {
        do {
            if let stored = try index.add(message) { await state.received(stored, live: true) }
        } catch {
            logger.error("could not keep a message in the console's index", metadata: ["server": "\(key)", "error": "\(error)"])
        }
    }

    // MARK: Commands

    private func perform(_ command: ConsoleCommand, _ session: inout ControlSession, _ opener: PayloadOpener) async throws -> CommandInbox.Outcome {
        let now = EpochClock.nowMs()
        switch command {
        case let .post(channel, text):
            var payload = Payload.plain(text)
            var note = "sent"
            if let channels = opener.endToEnd {
                switch try await session.envelope(for: text, to: channel, with: channels, nowMs: now) {
                case .plain:
                    break
                case let .sealed(sealed, unreadableBy):
                    payload = sealed
                    if !unreadableBy.isEmpty { note = "sent; not readable by " + unreadableBy.joined(separator: ", ") }
                case let .refused(step, reply):
                    return .failure(ConsoleFailure("\(step) refused: \(Self.describe(reply))"))
                }
            }
            let frame = try opener.trust?.post(payload, to: channel, as: session.path, nowMs: now)
                ?? .channelMessage(channel: channel, from: session.path, payload: payload)
            let reply = try await session.request(frame)
            guard Self.accepted(reply) else { return .failure(ConsoleFailure(Self.describe(reply))) }
            await keep(ConsoleMessage(
                server: key, conversation: ConsoleMessage.channel(channel), sender: session.path.description, tsMs: now, text: text,
                trust: "sent", trustNote: nil, encrypted: payload.isEncrypted, outgoing: true))
            return .success(note)
        case let .whisper(target, text):
            let frame = try opener.trust?.whisper(.plain(text), to: target, as: session.path, nowMs: now)
                ?? .whisper(from: session.path, target: target, payload: .plain(text))
            let reply = try await session.request(frame)
            guard Self.accepted(reply) else { return .failure(ConsoleFailure(Self.describe(reply))) }
            await keep(ConsoleMessage(
                server: key, conversation: ConsoleMessage.whispers(with: target.description), sender: session.path.description, tsMs: now,
                text: text, trust: "sent", trustNote: nil, encrypted: false, outgoing: true))
            return .success("sent")
        case let .verdict(prompt, target, allow):
            let payload = Payload.plain(prompt.verdict(allow: allow).text)
            let frame = try opener.trust?.whisper(payload, to: target, as: session.path, nowMs: now)
                ?? .whisper(from: session.path, target: target, payload: payload)
            let reply = try await session.request(frame)
            guard Self.accepted(reply) else { return .failure(ConsoleFailure(Self.describe(reply))) }
            return .success(allow ? "allowed" : "denied")
        }
    }

    private static func accepted(_ reply: ProtocolMessage) -> Bool {
        switch reply {
        case .ack, .posted: true
        default: false
        }
    }

    private static func describe(_ reply: ProtocolMessage) -> String {
        if case let .error(error) = reply { return "\(error)" }
        return "unexpected reply \(reply.name)"
    }
}
