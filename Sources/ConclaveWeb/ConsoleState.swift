import ConclaveBridge
import ConclaveProtocol
import Foundation

/// What the console knows now, per server, and the events the page waits for.
///
/// One actor: the server watchers write to it, the HTTP handlers read it. Events are kept in a
/// bounded ring; a page that falls further behind than the ring reads the whole state again.
actor ConsoleState {
    /// How a server's connection stands.
    enum Status: String, Codable, Sendable {
        /// The first attempt is under way.
        case connecting
        /// Connected and following its channels.
        case connected
        /// The connection failed or ended; another attempt follows (``Server/detail`` says why).
        case reconnecting
        /// The server refused this machine (revoked, unknown key, wrong version): retrying will
        /// not help until something changes.
        case refused
    }

    /// A channel as the page lists it.
    struct Channel: Codable, Sendable, Hashable {
        var name: String
        var visibility: String
        var member: Bool
        var encrypted: Bool
        var joined: Bool
        var present: [String]
        var unread: Int
    }

    /// A server as the page shows it.
    struct Server: Codable, Sendable {
        var url: String
        var status: Status
        var detail: String?
        var path: String?
        var channels: [Channel] = []
        var sessions: [String] = []
        var conversations: [String] = []
        var unreadWhispers: [String: Int] = [:]
    }

    /// A permission request waiting for this person's answer.
    struct Prompt: Codable, Sendable {
        var id: String
        var server: String
        var from: String
        var requestID: String
        var tool: String
        var what: String
        var input: String
        var receivedMs: Int64
    }

    /// What ``snapshot()`` returns.
    struct Snapshot: Codable, Sendable {
        var seq: Int
        var servers: [Server]
        var prompts: [Prompt]
    }

    private var servers: [String: Server] = [:]
    private let order: [String]
    private var unread: [String: [String: Int]] = [:]
    private var prompts: [String: (view: Prompt, prompt: ApprovalPrompt, from: SessionPath)] = [:]
    private var events: [ConsoleEvent] = []
    private var nextSeq = 1
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    /// Events kept for pages that are behind.
    static let eventsKept = 1_000
    /// Requests older than this are dropped: the bridge that asked has given up on them.
    static let promptLifetimeMs: Int64 = 10 * 60 * 1000
    /// Most requests kept at once (a flood of them from a hostile peer stays bounded).
    static let promptsKept = 100
    /// Most whisper conversations listed per server: the most recent ones (older ones stay in
    /// the index, and search finds them).
    static let conversationsListed = 200

    init(servers urls: [String]) {
        order = urls
        for url in urls { servers[url] = Server(url: url, status: .connecting) }
    }

    /// Everything the page shows, with unread counts.
    func snapshot(nowMs: Int64) -> Snapshot {
        prompts = prompts.filter { nowMs - $0.value.view.receivedMs < Self.promptLifetimeMs }
        let list = order.compactMap { url -> Server? in
            guard var server = servers[url] else { return nil }
            let counts = unread[url] ?? [:]
            for index in server.channels.indices {
                server.channels[index].unread = counts[ConsoleMessage.channel(server.channels[index].name)] ?? 0
            }
            server.unreadWhispers = counts.filter { $0.key.hasPrefix("@") }
            return server
        }
        return Snapshot(seq: nextSeq - 1, servers: list, prompts: prompts.values.map(\.view).sorted { $0.receivedMs < $1.receivedMs })
    }

    /// Changes what is known of `url`, and tells the page.
    func update(_ url: String, _ change: (inout Server) -> Void) {
        guard var server = servers[url] else { return }
        change(&server)
        servers[url] = server
        publish(ConsoleEvent(seq: 0, kind: .state))
    }

    /// A message was kept: shown at once, and counted as unread when it arrived live from
    /// someone else.
    func received(_ message: ConsoleMessage, live: Bool) {
        if live, !message.outgoing {
            unread[message.server, default: [:]][message.conversation, default: 0] += 1
        }
        if message.conversation.hasPrefix("@"), var server = servers[message.server], server.conversations.last != message.conversation {
            // Most recent last; the oldest beyond the bound leave the list and their counts.
            server.conversations.removeAll { $0 == message.conversation }
            server.conversations.append(message.conversation)
            if server.conversations.count > Self.conversationsListed {
                for dropped in server.conversations.prefix(server.conversations.count - Self.conversationsListed) {
                    unread[message.server]?[dropped] = nil
                }
                server.conversations.removeFirst(server.conversations.count - Self.conversationsListed)
            }
            servers[message.server] = server
        }
        publish(ConsoleEvent(seq: 0, kind: .message, message: message))
    }

    /// Older messages of a conversation were added to the index: a page showing it reads it again.
    func historyAdded(server: String, conversation: String) {
        publish(ConsoleEvent(seq: 0, kind: .history, server: server, conversation: conversation))
    }

    /// The person has read a conversation.
    func markRead(server: String, conversation: String) {
        guard unread[server]?[conversation] != nil else { return }
        unread[server]?[conversation] = nil
        publish(ConsoleEvent(seq: 0, kind: .state))
    }

    /// A permission request opened with this machine's key, from `from` on `server`.
    func addPrompt(_ prompt: ApprovalPrompt, from: SessionPath, server: String, nowMs: Int64) {
        if prompts.count >= Self.promptsKept, let oldest = prompts.min(by: { $0.value.view.receivedMs < $1.value.view.receivedMs }) {
            prompts[oldest.key] = nil
        }
        let id = UUID().uuidString.lowercased()
        let view = Prompt(
            id: id, server: server, from: from.description, requestID: prompt.requestID, tool: prompt.toolName,
            what: prompt.description, input: prompt.inputPreview, receivedMs: nowMs)
        prompts[id] = (view, prompt, from)
        publish(ConsoleEvent(seq: 0, kind: .state))
    }

    /// Takes the request `id` out to answer it; `nil` when it is gone (answered or expired).
    func takePrompt(_ id: String) -> (server: String, prompt: ApprovalPrompt, from: SessionPath)? {
        guard let entry = prompts.removeValue(forKey: id) else { return nil }
        publish(ConsoleEvent(seq: 0, kind: .state))
        return (entry.view.server, entry.prompt, entry.from)
    }

    /// Puts a request back when its answer could not be sent.
    func restorePrompt(_ id: String, _ entry: (server: String, prompt: ApprovalPrompt, from: SessionPath), nowMs: Int64) {
        let view = Prompt(
            id: id, server: entry.server, from: entry.from.description, requestID: entry.prompt.requestID, tool: entry.prompt.toolName,
            what: entry.prompt.description, input: entry.prompt.inputPreview, receivedMs: nowMs)
        prompts[id] = (view, entry.prompt, entry.from)
        publish(ConsoleEvent(seq: 0, kind: .state))
    }

    /// The events after `seq`, waiting up to `timeout` for one when there is none yet. `reset` is
    /// true when events after `seq` were already dropped from the ring (read the state again).
    func events(after seq: Int, timeout: Duration) async -> (events: [ConsoleEvent], reset: Bool) {
        if let ready = pending(after: seq) { return ready }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.wake(id)
            }
            await withCheckedContinuation { continuation in waiters[id] = continuation }
            group.cancelAll()
        }
        return pending(after: seq) ?? ([], false)
    }

    private func pending(after seq: Int) -> (events: [ConsoleEvent], reset: Bool)? {
        guard seq < nextSeq - 1 else { return nil }
        let oldest = events.first?.seq ?? nextSeq
        return (events.filter { $0.seq > seq }, seq + 1 < oldest)
    }

    private func wake(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func publish(_ event: ConsoleEvent) {
        var event = event
        event.seq = nextSeq
        nextSeq += 1
        events.append(event)
        if events.count > Self.eventsKept { events.removeFirst(events.count - Self.eventsKept) }
        let ready = waiters
        waiters = [:]
        for (_, waiter) in ready { waiter.resume() }
    }
}
