import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import FuzzSupport
import Synchronization

/// Arbitrary MCP lines (the JSON-RPC parser and every method and tool behind it) interleaved with
/// arbitrary server frames into a bridge core linked to one server at `act`. Nothing may crash,
/// and the core must still answer `ping` afterwards.
///
/// The core is cheap to build, so each input gets a fresh one: failures replay from their input.
enum BridgeInputFuzz {
    static let server = "wss://fuzz.example/"

    /// What the core wrote to the MCP client.
    final class Output: Sendable {
        private let lines = Mutex<[JSONValue]>([])
        func append(_ line: JSONValue) { lines.withLock { $0.append(line) } }
        var last: JSONValue? { lines.withLock { $0.last } }
    }

    static func run(_ bytes: [UInt8]) async {
        var config = ClientConfig(defaultPermission: .act)
        config.servers = [Registration(url: server, username: "fuzz", machine: "m")]
        if let url = try? ServerURL(server) {
            config.approvers = [Approver(server: url, user: "boss"), Approver(server: url, user: "fuzz")]
        }
        let output = Output()
        let core = BridgeCore(
            config: config, registrations: config.servers, handle: SessionHandle(base: "agent", isExplicit: true), configFile: nil,
            wallClock: { 1_700_000_000_000 }, write: { output.append($0) })
        // Most inputs start after the handshake, so the fuzzer need not rediscover it.
        if bytes.first.map({ $0 & 1 == 0 }) ?? true {
            await core.handle(.request(id: 0, method: "initialize", params: ["protocolVersion": "2025-06-18"]))
            await core.handle(.notification(method: "notifications/initialized", params: .null))
        }
        await core.linkUp(server, path: SessionPath(user: "fuzz", machine: "m", session: "agent"), noticeSender: .serverNotice, connection: LinkConnection(send: { _ in }, restart: {}))
        for record in FuzzDriver.records(Array(bytes.dropFirst())) {
            if record.tag & 1 == 0 {
                await core.handle(IncomingMessage.classify(Data(record.body)))
            } else if let frame = try? ProtocolMessage(wireBytes: record.body) {
                await core.received(frame, from: server)
            }
        }
        await core.handle(.request(id: "probe", method: "ping", params: .null))
        guard output.last?["id"] == "probe" else { fatalError("the bridge stopped answering") }
    }
}

func fuzzBridgeInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, count)
    FuzzDriver.blocking { await BridgeInputFuzz.run(bytes) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt { fuzzBridgeInput(data, count) }

@_cdecl("FuzzBridgeInput_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzBridgeInput)
}
