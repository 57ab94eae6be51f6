@testable import ConclaveServer
import ConclaveIdentity
import ConclaveProtocol
import ConclaveSQLite
import ConclaveTransport
import Logging
import Synchronization
import Testing

/// A client played from a script, for the session loop without a socket: `Hello`, then `Auth`
/// over the challenge the loop queued, then the script; the end of the script is the peer closing.
struct ScriptedFrames: InboundFrameSource {
    var acceptance = FrameAcceptance.everything
    let output: FrameQueue
    let key: SigningKey
    var script: [ProtocolMessage]
    private var step = 0
    /// Everything the loop sent, in order (the challenge included).
    let sent = SentFrames()

    init(output: FrameQueue, key: SigningKey, script: [ProtocolMessage]) {
        self.output = output
        self.key = key
        self.script = script
    }

    mutating func next() async throws -> InboundFrame? {
        step += 1
        let message: ProtocolMessage
        switch step {
        case 1:
            message = .hello(protocolVersion: PROTOCOL_VERSION, session: "loop")
        case 2:
            // The loop queues its challenge before it asks for the next frame.
            let frames = await output.nextBatch(limit: 1).compactMap { try? ProtocolMessage(wireBytes: Array($0.wireBytes.readableBytesView)) }
            sent.append(frames)
            guard case let .challenge(nonce)? = frames.first else { return nil }
            message = .auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce))
        default:
            guard !script.isEmpty else { return nil }
            message = script.removeFirst()
        }
        // As the socket side does: a variant the loop does not accept now is refused undecoded.
        if acceptance.variants != nil, let index = ProtocolMessage.variantIndex(ofWireBytes: message.wireBytes),
            !acceptance.accepts(variantIndex: index)
        {
            return .refused(variantIndex: index)
        }
        return .message(message)
    }
}

/// Frames a scripted peer has read, shared with the test.
final class SentFrames: Sendable {
    private let stored = Mutex<[ProtocolMessage]>([])
    var frames: [ProtocolMessage] { stored.withLock { $0 } }
    func append(_ more: [ProtocolMessage]) { stored.withLock { $0 += more } }
}

@Suite("The session loop without a socket")
struct SessionLoopTests {
    @Test func theRealLoopRunsAHandshakeRequestsAndPostsAgainstAnInMemorySink() async throws {
        let hub = Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), logger: Logger(label: "test"))
        let key = try SigningKey.generate()
        try await hub.register(username: "ann", machine: "m", key: key.publicKey)
        let queue = FrameQueue(capacity: 256)
        let frames = ScriptedFrames(output: queue, key: key, script: [
            .ping,
            .admin(.createChannel(name: "ops", visibility: .public)),
            .join(channel: "ops", token: nil),
            .channelMessage(channel: "ops", from: SessionPath(user: "x", machine: "y", session: "z"), payload: .plain("hi")),
            .challenge(nonce: [1]),  // a frame only servers send
        ])
        let runner = SessionRunner(hub: hub, settings: HubSettings(), logger: Logger(label: "test"))
        await runner.run(frames: frames, on: SessionConnection(output: queue, remoteIP: "127.0.0.1", activity: nil, extensions: []))

        let replies = queue.takeAvailable(limit: 100).compactMap { try? ProtocolMessage(wireBytes: Array($0.wireBytes.readableBytesView)) }
        #expect(frames.sent.frames.count == 1)
        let path = SessionPath(user: "ann", machine: "m", session: "loop")
        #expect(replies.first == .established(path: path))
        #expect(Array(replies.dropFirst(2)) == [.pong, .ack(detail: "ops"), .joined(channel: "ops"), .ack(detail: nil), .error(Refusal.unexpectedFrame)])
        // The script's end is the peer's close: answered already, so nothing more is sent.
        #expect(queue.ending == .peerClosed)
        #expect(await hub.livePaths.isEmpty)
        let stored = try await hub.store.messages(in: "ops", after: 0, limit: 10)
        #expect(stored.map(\.sender) == [path.description])
    }

    @Test func aForgedKeyIsRefusedWithItsReasonThenClosed() async throws {
        let hub = Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), logger: Logger(label: "test"))
        let queue = FrameQueue(capacity: 16)
        let stranger = try SigningKey.generate()
        let runner = SessionRunner(hub: hub, settings: HubSettings(), logger: Logger(label: "test"))
        await runner.run(
            frames: ScriptedFrames(output: queue, key: stranger, script: [.ping]),
            on: SessionConnection(output: queue, remoteIP: "127.0.0.1", activity: nil, extensions: []))
        let replies = queue.takeAvailable(limit: 10).compactMap { try? ProtocolMessage(wireBytes: Array($0.wireBytes.readableBytesView)) }
        guard case .error? = replies.last else {
            Issue.record("expected a refusal, got \(replies)")
            return
        }
        #expect(queue.ending == .normal)
        #expect(await hub.livePaths.isEmpty)
    }
}
