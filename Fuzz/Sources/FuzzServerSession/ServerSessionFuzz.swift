import ConclaveIdentity
import ConclaveProtocol
@testable import ConclaveServer
import ConclaveSQLite
import ConclaveTransport
import FuzzSupport
import Logging

/// Arbitrary frame sequences into a server session: the handshake state machine, then the hub as
/// three established sessions (an admin, a member, an outsider) would see them, then the real
/// session loop (`SessionRunner`, without a socket) fed the same bytes by a client that
/// authenticates first. Nothing may crash or hang, and the hub must keep answering.
///
/// Building a hub on a fresh store costs milliseconds, so one hub serves `inputsPerHub` inputs
/// before it is replaced (about 150 inputs/s with a fresh hub each, thousands this way). State
/// therefore carries over between inputs: a crash found here is replayed with the inputs that
/// preceded it (libFuzzer keeps them in the corpus), not always from its own input alone.
actor ServerSessionFuzz {
    static let shared = ServerSessionFuzz()
    static let inputsPerHub = 2_000
    static let keys: [SigningKey] = (1...3).compactMap { try? SigningKey(seed: [UInt8](repeating: UInt8($0), count: 32)) }
    static let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
    /// Small limits, so they trip too.
    static let settings: HubSettings = {
        var settings = HubSettings()
        settings.outboundQueueCapacity = 16
        settings.limits.postsPerSession = .perSecond(5, burst: 8)
        settings.limits.maxBodyBytes = 512
        settings.limits.sessionsPerUser = 4
        settings.limits.channelHistory = 50
        return settings
    }()

    private var hub: Hub?
    private var inputs = 0

    private func currentHub() async -> Hub {
        if let hub, inputs < Self.inputsPerHub {
            inputs += 1
            return hub
        }
        guard Self.keys.count == 3, let store = try? SQLiteStore.inMemory(),
            let admins = try? AdminAllowlist(parsing: ["admin"])
        else { fatalError("fuzz setup failed") }
        let hub = Hub(store: store, admins: admins, settings: Self.settings, logger: Self.quiet)
        for (index, user) in ["admin", "member", "outsider"].enumerated() {
            do {
                try await hub.register(username: user, machine: "m", key: Self.keys[index].publicKey)
            } catch {
                fatalError("fuzz setup: register \(user): \(error)")
            }
        }
        self.hub = hub
        inputs = 1
        return hub
    }

    func run(_ bytes: [UInt8]) async {
        let records = FuzzDriver.records(bytes)
        // 1. The handshake state machine, fed the same frames.
        var machine = ServerHandshakeStateMachine(nonce: [UInt8](repeating: 7, count: 32))
        for record in records {
            guard let frame = try? ProtocolMessage(wireBytes: record.body) else { continue }
            if case .reject = machine.receive(frame) { break }
        }

        // 2. The hub: three sessions, attached for this input and detached after it. Two speak
        // the receipts extension, so its frames reach their handlers too.
        let hub = await currentHub()
        let queues = (0..<3).map { _ in FrameQueue(capacity: 16) }
        let sessions = zip(["admin", "member", "outsider"], queues).map { user, queue in
            ServerSession(
                path: SessionPath(user: user, machine: "m", session: "s"), isAdmin: user == "admin", output: queue, now: .now,
                extensions: user == "outsider" ? [] : [.receipts, .signatures, .e2e])
        }
        for session in sessions { await hub.attach(session) }
        _ = await hub.handle(.admin(.createChannel(name: "ops", visibility: .public)), from: sessions[0])
        _ = await hub.handle(.admin(.createChannel(name: "vault", visibility: .private)), from: sessions[0])
        for session in sessions.prefix(2) { _ = await hub.handle(.join(channel: "ops", token: nil), from: session) }

        for record in records {
            let sender = sessions[Int(record.tag) % sessions.count]
            // Tags with the high bit set are raw frames; others are admin ops wrapped in Admin
            // (tag 8), so the fuzzer reaches moderation without first finding that prefix.
            guard let frame = try? ProtocolMessage(wireBytes: record.tag & 0x80 != 0 ? record.body : [8] + record.body) else { continue }
            if case let .channelMessage(channel, _, payload) = frame {
                if case let .success(post) = await hub.submitPost(payload, to: channel, from: sender) {
                    _ = await hub.reply(to: post)
                }
            } else {
                _ = await hub.handle(frame, from: sender)
            }
            // Drain the queues when told to, so they fill only when the fuzzer makes them.
            if record.tag & 0x40 != 0 {
                for queue in queues { _ = queue.takeAvailable(limit: 64) }
            }
        }
        if inputs % 100 == 0 {
            await hub.sweepLimits()
        }

        // 3. The same records through the real session loop, as a client "member/m/runner" that
        // authenticates and then sends them (raw, so undecodable and server-only frames too).
        let output = FrameQueue(capacity: 4_096)
        let runner = SessionRunner(hub: hub, settings: Self.settings, logger: Self.quiet)
        await runner.run(
            frames: FuzzFrames(output: output, key: Self.keys[1], records: records.map(\.body)),
            on: SessionConnection(output: output, remoteIP: "127.0.0.1", activity: nil, extensions: [.receipts, .signatures, .e2e]))
        for session in sessions { await hub.detach(session) }
        // Still answering.
        let probe = ServerSession(path: SessionPath(user: "admin", machine: "m", session: "probe"), isAdmin: true, output: FrameQueue(capacity: 16), now: .now)
        await hub.attach(probe)
        guard await hub.handle(.ping, from: probe) == .pong else { fatalError("hub stopped answering") }
        await hub.detach(probe)
    }
}

func fuzzServerSession(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, count)
    FuzzDriver.blocking { await ServerSessionFuzz.shared.run(bytes) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt { fuzzServerSession(data, count) }

@_cdecl("FuzzServerSession_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzServerSession)
}

/// A client played from fuzz records: `Hello`, `Auth` over the challenge the loop queued, then each
/// record's bytes as one binary message, decoded (or refused, or undecodable) as the socket side
/// would; the end of the records is the peer closing.
struct FuzzFrames: InboundFrameSource {
    var acceptance = FrameAcceptance.everything
    let output: FrameQueue
    let key: SigningKey
    var records: ArraySlice<[UInt8]>
    private var step = 0

    init(output: FrameQueue, key: SigningKey, records: [[UInt8]]) {
        self.output = output
        self.key = key
        self.records = records[...]
    }

    mutating func next() async throws -> InboundFrame? {
        step += 1
        if step == 1 { return .message(.hello(protocolVersion: PROTOCOL_VERSION, session: "runner")) }
        if step == 2 {
            let challenge = output.takeAvailable(limit: 1).first.flatMap { try? ProtocolMessage(wireBytes: Array($0.wireBytes.readableBytesView)) }
            guard case let .challenge(nonce)? = challenge else { return nil }
            return .message(.auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce)))
        }
        // Replies the loop queued are read as they come, so its queue never fills.
        _ = output.takeAvailable(limit: 4_096)
        guard let bytes = records.popFirst() else { return nil }
        guard bytes.count <= acceptance.maximumBytes else { return nil }
        if acceptance.variants != nil, let index = ProtocolMessage.variantIndex(ofWireBytes: bytes), !acceptance.accepts(variantIndex: index) {
            return .refused(variantIndex: index)
        }
        do {
            return .message(try ProtocolMessage(wireBytes: bytes))
        } catch {
            return .undecodable(error)
        }
    }
}
