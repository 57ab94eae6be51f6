import ConclaveProtocol
import ConclaveTesting
@testable import ConclaveTransport
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Synchronization
import Testing

/// The server's own HTTP/1 and WebSocket pipeline, spoken to in raw bytes: plain HTTP answers,
/// control frames, message assembly and its limits, the closing handshake, and reading only as
/// fast as the session does.
@Suite("Server pipeline (raw HTTP and WebSocket bytes)")
struct ServerPipelineTests {
    /// Runs `body` with the port of a server whose connections run `script`.
    static func withServer<T: Sendable>(
        healthProblem: (@Sendable () async -> String?)? = nil,
        _ script: @escaping @Sendable (ServerConnection) async -> Void,
        _ body: @escaping @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await ScriptedServer.with(configure: {
            $0.serverID = "pipeline-test"
            $0.healthProblem = healthProblem
        }, script, { url in try await body(url.port) })
    }

    /// Echoes every binary message as a protocol frame, under `acceptance`.
    static func echo(_ acceptance: FrameAcceptance = .everything) -> @Sendable (ServerConnection) async -> Void {
        { connection in
            connection.activity.markAuthenticated()
            var frames = connection.inbound.makeAsyncIterator()
            frames.acceptance = acceptance
            while case let .message(message)? = try? await frames.next() {
                await connection.output.send(message)
            }
        }
    }

    // MARK: Plain HTTP

    @Test func healthAnswersOkThen503WithTheReasonAndUnknownPathsAre404() async throws {
        let problem = Mutex<String?>(nil)
        try await Self.withServer(healthProblem: { problem.withLock { $0 } }, Self.echo()) { port in
            let healthy = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/health")
            #expect(healthy.hasPrefix("HTTP/1.1 200"), "\(healthy.prefix(60))")
            #expect(healthy.hasSuffix("\r\n\r\nok"))
            problem.withLock { $0 = "draining" }
            let draining = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/health")
            #expect(draining.hasPrefix("HTTP/1.1 503"), "\(draining.prefix(60))")
            #expect(draining.contains("unavailable: draining"))
            let unknown = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/elsewhere")
            #expect(unknown.hasPrefix("HTTP/1.1 404"), "\(unknown.prefix(60))")
        }
    }

    @Test func keepAliveRequestsAreAnsweredInOrderOnOneConnection() async throws {
        try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            socket.send(Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let text = String(decoding: try await socket.read(until: { String(decoding: $0, as: UTF8.self).contains("Conclave server") }, idle: 5_000), as: UTF8.self)
            // The health body ("ok") has no line end: split on the status lines themselves.
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "426"], "\(text)")
        }
    }

    // MARK: WebSocket

    @Test func theUpgradeCarriesTheServerHeadersAndOnlyAgreedExtensions() async throws {
        try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            let head = try await WebSocketWire.upgrade(socket, extraHeaders: "x-conclave-extensions: receipts, no-such-thing\r\n")
            #expect(head.hasPrefix("HTTP/1.1 101"))
            #expect(head.lowercased().contains("x-conclave-server-id: pipeline-test"))
            #expect(head.lowercased().contains("x-conclave-notices: "))
            #expect(head.lowercased().contains("x-conclave-extensions: receipts\r\n"))
            let plain = try RawSocket(port: port)
            #expect(try await !WebSocketWire.upgrade(plain).lowercased().contains("x-conclave-extensions"))
        }
    }

    @Test func aPingIsAnsweredWithItsDataAndAFragmentedMessageIsJoined() async throws {
        try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            socket.send(WebSocketWire.frame(opcode: 0x9, payload: Array("are you there".utf8)))
            let pong = try #require(try await WebSocketWire.readFrames(socket, count: 1, pending: &pending).first)
            #expect(pong.opcode == 0xA)
            #expect(pong.payload == Array("are you there".utf8))
            // One protocol frame in three WebSocket frames, with a ping between the fragments.
            let bytes = ProtocolMessage.channelMessage(
                channel: "c", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain(String(repeating: "x", count: 300))).wireBytes
            socket.send(WebSocketWire.frame(opcode: 0x2, fin: false, payload: Array(bytes[..<100])))
            socket.send(WebSocketWire.frame(opcode: 0x0, fin: false, payload: Array(bytes[100..<200])))
            socket.send(WebSocketWire.frame(opcode: 0x9, payload: []))
            socket.send(WebSocketWire.frame(opcode: 0x0, payload: Array(bytes[200...])))
            let frames = try await WebSocketWire.readFrames(socket, count: 2, pending: &pending)
            #expect(frames.map(\.opcode) == [0xA, 0x2])
            #expect(frames.last?.payload == bytes)
        }
    }

    @Test func aMessageOverTheLimitClosesWith1009() async throws {
        try await Self.withServer(Self.echo(.handshake)) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            // 3 KiB, then 3 KiB more of the same message: over the 4 KiB a handshake frame may be.
            socket.send(WebSocketWire.frame(opcode: 0x2, fin: false, payload: [UInt8](repeating: 0, count: 3 * 1024)))
            socket.send(WebSocketWire.frame(opcode: 0x0, payload: [UInt8](repeating: 0, count: 3 * 1024)))
            let close = try #require(try await WebSocketWire.readFrames(socket, count: 1, pending: &pending).first)
            #expect(close.opcode == 0x8)
            #expect(close.payload.prefix(2) == [0x03, 0xF1])
        }
    }

    @Test func aContinuationWithoutAMessageClosesWith1002() async throws {
        try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            socket.send(WebSocketWire.frame(opcode: 0x0, payload: [1, 2, 3]))
            let close = try #require(try await WebSocketWire.readFrames(socket, count: 1, pending: &pending).first)
            #expect(close.opcode == 0x8)
            #expect(close.payload.prefix(2) == [0x03, 0xEA])
        }
    }

    @Test func aFragmentedTextMessageIsSkippedWhole() async throws {
        try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            socket.send(WebSocketWire.frame(opcode: 0x1, fin: false, payload: Array("hel".utf8)))
            socket.send(WebSocketWire.frame(opcode: 0x0, payload: Array("lo".utf8)))
            socket.send(WebSocketWire.frame(opcode: 0x2, payload: ProtocolMessage.ping.wireBytes))
            let echoed = try #require(try await WebSocketWire.readFrames(socket, count: 1, pending: &pending).first)
            #expect(echoed.opcode == 0x2)
            #expect(echoed.payload == ProtocolMessage.ping.wireBytes)
        }
    }

    @Test func thePeersCloseIsAnsweredAndTheConnectionEnds() async throws {
        let sessionEnded = Atomic<Bool>(false)
        try await Self.withServer({ connection in
            await Self.echo()(connection)
            sessionEnded.store(true, ordering: .relaxed)
        }) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            socket.send(WebSocketWire.frame(opcode: 0x8, payload: [0x03, 0xE8]))
            let close = try #require(try await WebSocketWire.readFrames(socket, count: 1, pending: &pending).first)
            #expect(close.opcode == 0x8)
            #expect(close.payload.prefix(2) == [0x03, 0xE8])
            #expect(socket.closedByPeer(within: 5_000))
            for _ in 0..<100 where !sessionEnded.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(20)) }
            let ended = sessionEnded.load(ordering: .relaxed)
            #expect(ended)
        }
    }

    @Test func aSessionThatReturnsClosesItsConnectionNormally() async throws {
        try await Self.withServer({ connection in
            await connection.output.send(.pong)
        }) { port in
            let socket = try RawSocket(port: port)
            var pending: [UInt8] = []
            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
            let frames = try await WebSocketWire.readFrames(socket, count: 2, pending: &pending)
            #expect(frames.map(\.opcode) == [0x2, 0x8])
            #expect(frames.last?.payload.prefix(2) == [0x03, 0xE8])
        }
    }

    // MARK: Reading at the session's pace

    @Test func readsStopAtTheHighWatermarkAndResumeWhenTheSessionTakesFrames() async throws {
        let reads = ReadCounter()
        let channel = EmbeddedChannel()
        let outputHandler = SessionOutputHandler(closeTimeout: .seconds(2))
        let handler = ServerWebSocketHandler(output: outputHandler)
        try channel.pipeline.syncOperations.addHandlers([reads, outputHandler, handler])
        let output = SessionOutput(capacity: 8, handler: outputHandler, eventLoop: channel.embeddedEventLoop)
        outputHandler.output = output
        let stream = ServerFrameStream.attach(to: handler, output: output, eventLoop: channel.embeddedEventLoop)
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: ProtocolMessage.ping.wireBytes))
        for _ in 0..<ServerFrameStream.highWatermark { try channel.writeInbound(frame) }
        channel.read()
        #expect(reads.count == 0, "the session holds its high watermark: no read reaches the socket")

        var reader = ServerFrameStream.Reader(stream)
        for _ in 0..<(ServerFrameStream.highWatermark - ServerFrameStream.lowWatermark + 1) {
            _ = try await reader.nextMessage(maxSize: 1024)
        }
        channel.embeddedEventLoop.run()
        #expect(reads.count == 1, "below the low watermark the held read goes through")
        channel.read()
        #expect(reads.count == 2)
        _ = try? channel.finish()
    }
}

/// Counts the reads that reach the bottom of the pipeline (the socket, on a real channel).
private final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    // @unchecked: touched only on the embedded channel's loop, which is the test's thread.
    typealias OutboundIn = NIOAny
    var count = 0

    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}

/// Hand-made client WebSocket bytes (RFC 6455 §5.2) and a reader of the server's frames.
enum WebSocketWire {
    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]
    }

    /// Sends an upgrade request for `/` and returns the response head; bytes after it stay in
    /// `pending` for ``readFrames(_:count:pending:)``.
    static func upgrade(_ socket: RawSocket, extraHeaders: String = "", pending: inout [UInt8]) async throws -> String {
        socket.send(Array((
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n").utf8))
        let blankLine: [UInt8] = [13, 10, 13, 10]
        let received = try await socket.read(until: { $0.firstRange(of: blankLine) != nil }, idle: 5_000)
        guard let end = received.firstRange(of: blankLine)?.upperBound else {
            throw RawSocket.Failure(description: "no upgrade response: \(String(decoding: received, as: UTF8.self))")
        }
        pending = Array(received[end...])
        return String(decoding: received[..<end], as: UTF8.self)
    }

    /// ``upgrade(_:extraHeaders:pending:)`` for a test that reads no frames.
    static func upgrade(_ socket: RawSocket, extraHeaders: String = "") async throws -> String {
        var pending: [UInt8] = []
        return try await upgrade(socket, extraHeaders: extraHeaders, pending: &pending)
    }

    /// A masked client frame.
    static func frame(opcode: UInt8, fin: Bool = true, payload: [UInt8]) -> [UInt8] {
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case ..<126: bytes.append(0x80 | UInt8(payload.count))
        case ...0xFFFF: bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [0x80 | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    /// Reads `count` unmasked server frames (fewer if the connection ends or goes quiet for 5 s).
    static func readFrames(_ socket: RawSocket, count: Int, pending bytes: inout [UInt8]) async throws -> [Frame] {
        var frames: [Frame] = []
        while frames.count < count {
            guard let (frame, length) = parse(bytes) else {
                let more = try await socket.read(until: { !$0.isEmpty }, idle: 5_000)
                guard !more.isEmpty else { return frames }
                bytes += more
                continue
            }
            frames.append(frame)
            bytes.removeFirst(length)
        }
        return frames
    }

    private static func parse(_ bytes: [UInt8]) -> (Frame, Int)? {
        guard bytes.count >= 2 else { return nil }
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard bytes.count >= offset + length else { return nil }
        return (Frame(opcode: bytes[0] & 0x0F, payload: Array(bytes[offset..<(offset + length)])), offset + length)
    }
}

extension ServerPipelineTests {
    /// A session that never reads its inbound frames (a refusal, a scripted reply) still gets
    /// everything it sends out before the close: the frame sequence being released unread must
    /// not end the connection under it. Many connections at once, raw bytes on the client side.
    @Test func aSessionThatNeverReadsStillGetsItsFramesOutBeforeTheClose() async throws {
        let outcomes = try await Self.withServer({ connection in
            await connection.output.send(.pong)
            connection.output.close()
        }) { port in
            var outcomes: [String: Int] = [:]
            for _ in 0..<5 {
                outcomes = try await withThrowingTaskGroup(of: String.self, returning: [String: Int].self) { group in
                    for _ in 0..<40 {
                        group.addTask {
                            let socket = try RawSocket(port: port)
                            var pending: [UInt8] = []
                            _ = try await WebSocketWire.upgrade(socket, pending: &pending)
                            let frames = try await WebSocketWire.readFrames(socket, count: 2, pending: &pending)
                            return frames.map { "\($0.opcode)" }.joined(separator: ",")
                        }
                    }
                    return try await group.reduce(into: outcomes) { $0[$1, default: 0] += 1 }
                }
            }
            return outcomes
        }
        #expect(outcomes == ["2,8": 200])
    }
}

extension ServerPipelineTests {
    /// When the server stops, no connection outlives it: here an HTTP keep-alive connection that
    /// no session owns.
    @Test func connectionsNoSessionOwnsCloseWhenTheServerStops() async throws {
        let socket = try await Self.withServer(Self.echo()) { port in
            let socket = try RawSocket(port: port)
            socket.send(Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let response = try await socket.read(until: { String(decoding: $0, as: UTF8.self).hasSuffix("ok") }, idle: 5_000)
            #expect(String(decoding: response, as: UTF8.self).contains("keep-alive"))
            #expect(!socket.closedByPeer(within: 100))
            return socket
        }
        #expect(socket.closedByPeer(within: 5_000))
    }
}
