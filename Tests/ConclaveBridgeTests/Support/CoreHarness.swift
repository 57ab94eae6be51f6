@testable import ConclaveBridge
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Synchronization

/// A bridge core with one server (`wss://s1/`, registered as aaron/workstation), a fake link and
/// captured MCP output.
struct CoreHarness {
    static let server = "wss://s1/"
    static let ownPath = SessionPath(user: "aaron", machine: "workstation", session: "razel")

    let core: BridgeCore
    let output: Captured
    let link = FakeLink()

    init(
        config: ClientConfig = ClientConfig(), servers: [String] = [CoreHarness.server], handle: SessionHandle = SessionHandle(base: "razel", isExplicit: true),
        settings: BridgeSettings = BridgeSettings(), configFile: ConfigFile? = nil, inbound: (any InboundSink)? = nil
    ) {
        let output = Captured()
        self.output = output
        var config = config
        config.servers = servers.map { Registration(url: $0, username: "aaron", machine: "workstation") }
        core = BridgeCore(
            config: config, registrations: config.servers, handle: handle, configFile: configFile, settings: settings,
            inbound: inbound, wallClock: { 1_000_000_000 }, write: { output.append($0) })
    }

    /// `initialize` + `notifications/initialized`; the output is cleared afterwards.
    func initialize() async {
        await core.handle(.request(id: 0, method: "initialize", params: ["protocolVersion": "2025-06-18"]))
        await core.handle(.notification(method: "notifications/initialized", params: .null))
        _ = output.take()
    }

    /// Brings the link up as `ownPath`, optionally as a server admin; the server declares the
    /// notice path unless `noticeSender` says otherwise.
    func up(
        _ server: String = CoreHarness.server, admin: Bool? = nil, noticeSender: SessionPath? = .serverNotice,
        extensions: Set<ProtocolExtension> = [], trust: MessageTrust? = nil, endToEnd: EndToEndChannels? = nil
    ) async {
        await core.linkUp(
            server, path: SessionPath(user: "aaron", machine: "workstation", session: Self.ownPath.session), noticeSender: noticeSender,
            extensions: extensions, trust: trust, endToEnd: endToEnd, connection: link.connection)
        if let admin { await core.received(.serverInfo(admin: admin), from: server) }
    }

    func call(_ id: Int64, _ name: String, _ arguments: JSONValue = [:]) async {
        await core.handle(.request(id: .int(id), method: "tools/call", params: ["name": .string(name), "arguments": arguments]))
    }

    func reply(_ frame: ProtocolMessage, from server: String = CoreHarness.server) async {
        await core.received(frame, from: server)
    }

    /// The tool names currently listed.
    func toolNames() async -> [String] {
        await core.handle(.request(id: 999, method: "tools/list", params: .null))
        let response = output.take().last
        guard case let .array(tools)? = response?["result"]?["tools"] else { return [] }
        return tools.compactMap { $0["name"]?.stringValue }
    }
}

/// Everything the core wrote to the MCP client.
final class Captured: Sendable {
    private let messages = Mutex<[JSONValue]>([])

    func append(_ message: JSONValue) { messages.withLock { $0.append(message) } }

    /// Everything written since the last call.
    func take() -> [JSONValue] { messages.withLock { let all = $0; $0 = []; return all } }

    /// Notifications with `method`, among `messages`.
    static func notifications(_ method: String, in messages: [JSONValue]) -> [JSONValue] {
        messages.filter { $0["method"]?.stringValue == method }
    }

    /// The tool result for `id`, among `messages`.
    static func result(_ id: Int64, in messages: [JSONValue]) -> (text: String, isError: Bool)? {
        guard let message = messages.first(where: { $0["id"] == .int(id) && $0["result"] != nil }),
            case let .array(content)? = message["result"]?["content"], let text = content.first?["text"]?.stringValue
        else { return nil }
        return (text, message["result"]?["isError"] == .bool(true))
    }
}

/// The frames the core sent, and whether it asked for a reconnect.
final class FakeLink: Sendable {
    private let frames = Mutex<[ProtocolMessage]>([])
    private let restarts = Mutex(0)

    var connection: LinkConnection {
        LinkConnection(send: { frame in self.frames.withLock { $0.append(frame) } }, restart: { self.restarts.withLock { $0 += 1 } })
    }

    /// Frames sent since the last call (keepalives are the link's business, not the core's).
    func take() -> [ProtocolMessage] { frames.withLock { let all = $0; $0 = []; return all } }

    var restartCount: Int { restarts.withLock { $0 } }
}
