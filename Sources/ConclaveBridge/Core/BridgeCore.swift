public import ConclaveClient
public import ConclaveIdentity
public import ConclaveProtocol
import Foundation
import Logging

/// Everything stateful in a bridge: the MCP session, the servers' joined channels, pending
/// requests, permission levels and the permission relay. Links and the stdio reader only deliver
/// events here; every message to the MCP client is written from here, in order.
public actor BridgeCore {
    /// Per-server state.
    struct ServerState {
        let key: String
        let url: ServerURL
        let registration: Registration
        /// The link's lifecycle: the connection, the session it established, what the agent was told.
        var link = LinkLifecycle()
        var connection: LinkConnection? { link.connection }
        var path: SessionPath? { link.session?.path }
        /// The sender this server reserves for its notices (declared at the upgrade), if any.
        var noticeSender: SessionPath? { link.session?.noticeSender }
        /// Whether this connection speaks the `receipts` extension (message ids, receipts).
        var receipts: Bool { link.session?.receipts ?? false }
        /// Signing and checking on this connection, when it speaks `signatures`.
        var trust: MessageTrust? { link.session?.trust }
        /// Channel keys on this connection, when it speaks `e2e`.
        var endToEnd: EndToEndChannels? { link.session?.endToEnd }
        /// Set when the server can never be used by this process (refused handshake, duplicate).
        var failure: String? { link.failure }
        var lastError: String? { link.lastError }
        /// The end-to-end encrypted channels this session may know of.
        var encrypted: Set<String> = []
        /// Live channel messages held while the keys of an encrypted one are fetched (everything
        /// after it too, so the agent sees them in order).
        var awaitingKeys: [(message: ReceivedMessage, provenance: Provenance)] = []

        /// How this connection's messages are opened and checked.
        var opener: PayloadOpener { PayloadOpener(trust: trust, endToEnd: endToEnd) }
        var joined: Set<String> = []
        var administered: Set<String> = []
        var isServerAdmin = false
        var requests = RequestQueue<RequestPurpose>()
        var historyMark: [String: Int64] = [:]
        var liveMark: [String: Int64] = [:]
        /// Channel messages injected live, newest last, so a `catch_up` without `since` (which
        /// starts a minute before the last one: live frames carry no server time) leaves them out.
        var injected: [String: [InjectedMessage]] = [:]

        /// What ``offeredTools(servers:config:)`` reads of this server.
        var toolGates: ToolGates {
            ToolGates(usable: failure == nil, joined: joined, administered: administered, isServerAdmin: isServerAdmin)
        }
    }

    /// The part of a server's state the offered tools depend on, compared to skip recomputing
    /// them after frames that change none of it.
    struct ToolGates: Equatable {
        let usable: Bool
        let joined: Set<String>
        let administered: Set<String>
        let isServerAdmin: Bool
    }

    /// A channel message shown to the agent live: who, what, and this machine's clock then.
    struct InjectedMessage {
        let from: SessionPath
        let payload: Payload
        let atMs: Int64
    }

    /// How many injected messages per channel are remembered for `catch_up` to leave out (at
    /// least this many; up to twice as many between trims).
    static let injectedMemory = 256

    /// A permission prompt relayed to approvers and not answered yet.
    struct PendingApproval {
        let expires: ContinuousClock.Instant
        /// One prompt per server (the requester path differs), each with its own codes.
        var prompts: [String: ApprovalPrompt] = [:]
        /// Servers where the prompt reached at least one approver session.
        var delivered: Set<String> = []
        /// This user's machine keys per server, for approvers without a pinned key.
        var machineKeys: [String: [String: PublicKey]] = [:]
    }

    let settings: BridgeSettings
    let write: @Sendable (JSONValue) -> Void
    let configFile: ConfigFile?
    let logger = Logger(label: "conclave.bridge")
    let wallClock: @Sendable () -> Int64
    var config: ClientConfig {
        // Thresholds follow config.toml edits; budgets already spent stay spent.
        didSet { flood.control = config.flood }
    }
    /// Emit and inbound budgets and the ping-pong detector.
    var flood: FloodGuard
    var handle: SessionHandle
    var servers: [String: ServerState] = [:]
    /// Server keys in configuration order.
    let order: [String]
    var initializeAnswered = false
    var initialized = false
    var held: [JSONValue] = []
    var heldDropped = 0
    var offered: [ToolName] = []
    /// Whether the client listed the tools since the last `tools/list_changed`.
    var toolsListed = false
    var approvals: [String: PendingApproval] = [:]
    /// Where inbound messages go in ``DeliveryMode/hooks`` (`nil`: pushed as notifications).
    let inbound: (any InboundSink)?
    /// Numbers the messages this bridge shows.
    var shownCount = 0
    /// Which server each recent message id (received or sent) belongs to, for `ack` and
    /// `receipts`; the oldest are forgotten past ``rememberedIDs``.
    var messageServers: [UInt64: String] = [:]
    var messageOrder: [UInt64] = []
    static let rememberedIDs = 4096

    /// A core for `registrations`; `configFile` is where level changes are saved (`nil`: memory only).
    public init(
        config: ClientConfig, registrations: [Registration], handle: SessionHandle, configFile: ConfigFile?,
        settings: BridgeSettings = BridgeSettings(), inbound: (any InboundSink)? = nil,
        wallClock: @escaping @Sendable () -> Int64 = BridgeCore.currentTimeMs,
        write: @escaping @Sendable (JSONValue) -> Void
    ) {
        self.config = config
        flood = FloodGuard(config.flood)
        self.handle = handle
        self.configFile = configFile
        self.settings = settings
        self.wallClock = wallClock
        self.write = write
        self.inbound = inbound
        // A server is keyed by its URL as the registration spells it (what the agent sees in
        // `meta.server`); two spellings of one server are one server, the first one kept.
        var order: [String] = []
        var seen: Set<ServerURL> = []
        for registration in registrations {
            guard let url = try? ServerURL(registration.url), seen.insert(url).inserted else { continue }
            servers[url.text] = ServerState(key: url.text, url: url, registration: registration)
            order.append(url.text)
        }
        self.order = order
        offered = Self.offeredTools(servers: servers, config: config)
    }

    /// The server keys (URLs as the registrations spell them) this core serves, in configuration order.
    public var serverKeys: [String] { order }

    /// What a link needs to reach each server, in configuration order: its key, its URL and the
    /// registration's CA file.
    public var linkTargets: [(key: String, url: ServerURL, caFile: String?)] {
        order.compactMap { key in servers[key].map { (key, $0.url, $0.registration.caFile) } }
    }

    /// The key of the server `text` names, in any spelling of its URL.
    func serverKey(named text: String) -> String? {
        if servers[text] != nil { return text }
        let normalized = ServerURL.key(for: text)
        return order.first { servers[$0]?.url.normalized == normalized }
    }

    // MARK: Output

    /// Writes a response now.
    func respond(_ message: JSONValue) {
        write(message)
    }

    /// Writes a notification, or holds it until the client has initialized (nothing unsolicited
    /// is written before that: reference gap 31).
    func notify(_ message: JSONValue) {
        guard initialized else {
            if held.count < settings.heldNotificationLimit {
                held.append(message)
            } else {
                heldDropped += 1
            }
            return
        }
        write(message)
    }

    /// A notice from the bridge itself: plain text, no untrusted framing.
    func notice(_ text: String, kind: InboundMessage.Kind, server: String? = nil) {
        present(InboundMessage(id: "", kind: kind, server: server, body: text, atMs: wallClock()))
    }

    /// Hands a message to the agent: pushed as a `notifications/claude/channel`, or, when hooks
    /// deliver, kept in the session's spool for the next hook. Never both.
    func present(_ message: InboundMessage) {
        shownCount += 1
        var message = message
        // A message with a server id is known by it (the id the sender sees, and `ack` takes).
        message.id = message.receiptID.map(String.init) ?? "m\(shownCount)"
        if let receiptID = message.receiptID, let server = message.server { remember(receiptID, on: server) }
        if let inbound {
            do {
                try inbound.accept(message)
                return
            } catch {
                // Losing the message is worse than showing it by the other path.
                logger.error("the delivery spool could not be written; pushing instead", metadata: ["error": "\(error)"])
            }
        }
        let push = ChannelFraming.push(message)
        notify(OutgoingMessage.channelNotification(content: push.content, meta: push.meta))
        if let server = message.server { report(message.receiptID, on: server, .injected) }
    }

    /// Notes which server message `id` belongs to.
    func remember(_ id: UInt64, on server: String) {
        if messageServers.updateValue(server, forKey: id) == nil { messageOrder.append(id) }
        if messageOrder.count > 2 * Self.rememberedIDs {
            for old in messageOrder.prefix(messageOrder.count - Self.rememberedIDs) { messageServers[old] = nil }
            messageOrder.removeFirst(messageOrder.count - Self.rememberedIDs)
        }
    }

    /// Tells `server` where message `id` stands here, when the link speaks `receipts` and the
    /// message has an id. A report is not a request: nothing answers it.
    func report(_ id: UInt64?, on server: String, _ state: ReceiptState, detail: String? = nil) {
        guard let id, let link = servers[server], link.receipts, let connection = link.connection else { return }
        connection.send(.receipt(id: id, state: state, detail: detail))
    }

    func answer(_ id: JSONValue, _ text: String, isError: Bool = false) {
        respond(OutgoingMessage.toolResult(id: id, text: text, isError: isError))
    }

    /// Sends `tools/list_changed` when the offered set changed since the client last listed it.
    /// One notice per listing: until the client lists again, it already knows to (two changes
    /// before `initialized` used to send two).
    func refreshTools() {
        let now = Self.offeredTools(servers: servers, config: config)
        guard now != offered else { return }
        offered = now
        if initializeAnswered, toolsListed {
            toolsListed = false
            notify(OutgoingMessage.notification("notifications/tools/list_changed"))
        }
    }

    /// The tools offered for the given state, in catalogue order.
    static func offeredTools(servers: [String: ServerState], config: ClientConfig) -> [ToolName] {
        let live = servers.values.filter { $0.failure == nil }
        let channelEmit = live.contains { server in
            server.joined.contains { config.permission(server: server.url, scope: .channel($0)).mayEmit }
        }
        let whisperEmit = live.contains { config.permission(server: $0.url, scope: .whisper).mayEmit }
        let moderation = live.contains { $0.isServerAdmin || !$0.administered.isEmpty }
        return ToolName.allCases.filter { tool in
            switch tool.gate {
            case .always: true
            case .channelEmit: channelEmit
            case .whisperEmit: whisperEmit
            case .moderation: moderation
            }
        }
    }

    // MARK: Periodic work

    /// Expires requests and approvals; call a few times a second.
    public func tick() {
        let now = ContinuousClock.now
        for key in order {
            guard var server = servers[key] else { continue }
            let expired = server.requests.removeExpired(now: now)
            var lostSync = false
            for entry in expired {
                if entry.sent {
                    lostSync = true
                    fail(entry, "no reply from `\(key)` within \(Self.seconds(settings.replyTimeout)) s; the link is being re-established, try again")
                } else {
                    let reason = server.failure ?? server.lastError.map { "last attempt: \($0)" } ?? "still connecting"
                    fail(entry, "not connected to `\(key)` after \(Self.seconds(settings.connectTimeout)) s (\(reason)); the bridge keeps retrying in the background")
                }
            }
            servers[key] = server
            if lostSync {
                // A late reply must not answer the next request: start a fresh connection.
                server.connection?.restart()
            }
        }
        approvals = approvals.filter { $0.value.expires > now }
        reportPulled()
    }

    /// Reports the messages hooks handed to the model since the last tick.
    func reportPulled() {
        guard let inbound else { return }
        do {
            for receipt in try inbound.takeInjected() { report(receipt.id, on: receipt.server, .injected) }
        } catch {
            logger.warning("the delivery spool could not be read for receipts", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Configuration

    /// Counts this core's own saves, so a file read that started before one is not applied over it.
    public private(set) var configGeneration = 0

    /// Applies a configuration re-read from disk (levels, approvers); servers stay as started.
    /// `generation` is ``configGeneration`` from before the file was read: if this core saved a
    /// change since, the read may predate it and is ignored (the next poll sees the newer file).
    public func reload(_ newConfig: ClientConfig, generation: Int) {
        guard generation == configGeneration, newConfig != config else { return }
        config = newConfig
        refreshTools()
    }

    /// Saves a level change, in memory and in config.toml.
    func persistLevel(_ level: PermissionLevel, server: ServerURL?, scope: PermissionScope?) throws {
        func apply(_ config: inout ClientConfig) {
            if let server, let scope {
                config.setPermission(level, server: server, scope: scope)
            } else {
                config.defaultPermission = level
            }
        }
        configGeneration += 1
        if let configFile {
            config = try configFile.update { file in
                apply(&file)
                return file
            }
        } else {
            apply(&config)
        }
    }

    static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }

    /// Wall-clock milliseconds since the epoch.
    public static func currentTimeMs() -> Int64 {
        EpochClock.nowMs()
    }
}
