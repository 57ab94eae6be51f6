import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Load-generator connections written straight on SwiftNIO: an HTTP upgrade to WebSocket, then a
/// ``WireSession`` handler that does the Conclave handshake (or none, against a floor) and counts
/// what arrives, without an async task per connection or per frame.
///
/// Many of them fit on one event loop, so the load generator's own cost per delivery stays well
/// below the server's (each scenario reports both).
enum WireClient {
    /// Opens one connection to `url` and installs the handler `makeSession` returns (on the
    /// connection's event loop) once upgraded; returns the channel.
    static func connect(
        to url: ServerURL, pacing: Pacing, localAddress: String? = nil, extensions: Set<ProtocolExtension> = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        session makeSession: @escaping @Sendable () -> WireSession
    ) async throws -> any Channel {
        let host = url.host
        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 24) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(makeSession())
            }
        }
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if pacing.isPaced { try channel.pipeline.syncOperations.addHandler(PacedReader(pause: pacing.pause)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    try channel.pipeline.syncOperations.addHandler(UpgradeRequest(host: host, extensions: extensions))
                }
            }
        bootstrap = pacing.configure(bootstrap)
        if let localAddress {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0))
        }
        return try await bootstrap.connect(host: url.host, port: url.port).get()
    }
}

/// Sends the `GET /` that asks for the upgrade once the connection is up, then leaves the
/// pipeline (the WebSocket handlers are added after it).
private final class UpgradeRequest: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundOut = HTTPClientRequestPart

    let host: String
    let extensions: Set<ProtocolExtension>

    init(host: String, extensions: Set<ProtocolExtension>) {
        self.host = host
        self.extensions = extensions
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: "0")
        if !extensions.isEmpty { headers.add(name: ServerIdentity.extensionsHeaderName, value: ProtocolExtension.headerValue(extensions)) }
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// One load-generator connection after the upgrade: the handshake, an optional join, then counting.
final class WireSession: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What the connection does once it is a WebSocket.
    enum Role {
        /// Authenticates with `key` as session `handle`, then joins `channel` and counts its messages.
        /// With `frameBytes`, every message after the join is known to be that many bytes on the
        /// wire (one publisher, one body), and they are counted by bytes below the WebSocket
        /// decoder instead of decoded, as the Redis subscribers count theirs.
        case subscriber(key: SigningKey, handle: String, channel: String, frameBytes: Int? = nil)
        /// Authenticates, then stays idle, pinging every `heartbeat`.
        case idle(key: SigningKey, handle: String, heartbeat: TimeAmount)
        /// No handshake (a floor server): counts every binary message from the start (by bytes,
        /// below the decoder, when every message is known to be `frameBytes` long).
        case floor(frameBytes: Int? = nil)
    }

    private enum Phase { case greeting, authenticating, joining, counting, idle }

    private let role: Role
    private let ready: Counter
    private let delivered: Counter
    /// Called on the event loop with each counted frame's protocol bytes (latency probes).
    private let inspect: (@Sendable (ByteBufferView) -> Void)?
    private var phase = Phase.greeting
    private var unreported = 0

    private static let channelMessageIndex = ProtocolMessage.variantIndex(ofWireBytes: ProtocolMessage.channelMessage(
        channel: "c", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain("")).wireBytes)

    init(role: Role, ready: Counter, delivered: Counter, inspect: (@Sendable (ByteBufferView) -> Void)? = nil) {
        self.role = role
        self.ready = ready
        self.delivered = delivered
        self.inspect = inspect
    }

    func handlerAdded(context: ChannelHandlerContext) {
        switch role {
        case let .subscriber(_, handle, _, _), let .idle(_, handle, _):
            send(.hello(protocolVersion: PROTOCOL_VERSION, session: handle), context: context)
        case let .floor(frameBytes):
            phase = .counting
            if let frameBytes {
                // Added before anyone publishes: the floor's run starts once every subscriber is in.
                try? context.pipeline.syncOperations.addHandler(ByteCounter(frameBytes: frameBytes, delivered: delivered), position: .first)
            }
            ready.increment()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary: break
        case .connectionClose:
            context.close(promise: nil)
            return
        default: return
        }
        let bytes = frame.unmaskedData.readableBytesView
        if phase == .counting {
            guard ProtocolMessage.variantIndex(ofWireBytes: bytes) == Self.channelMessageIndex else { return }
            unreported += 1
            inspect?(bytes)
            return
        }
        guard let message = try? ProtocolMessage(wireBytes: Array(bytes)) else { return }
        switch (phase, message, role) {
        case let (.greeting, .challenge(nonce), .subscriber(key, _, _, _)), let (.greeting, .challenge(nonce), .idle(key, _, _)):
            phase = .authenticating
            send(.auth(pubkey: key.publicKey.bytes, signature: key.sign(nonce)), context: context)
        case let (.authenticating, .established, .subscriber(_, _, channel, _)):
            phase = .joining
            send(.join(channel: channel, token: nil), context: context)
        case let (.authenticating, .established, .idle(_, _, heartbeat)):
            phase = .idle
            ready.increment()
            schedulePing(every: heartbeat, context: context)
        case (.joining, .ack, _), (.joining, .joined, _):
            phase = .counting
            if case let .subscriber(_, _, _, frameBytes?) = role {
                // Nothing of the channel's is in flight yet: the publisher starts once every
                // subscriber is ready, so every byte from here on is a whole number of messages.
                try? context.pipeline.syncOperations.addHandler(ByteCounter(frameBytes: frameBytes, delivered: delivered), position: .first)
            }
            ready.increment()
        case (_, .error, _):
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if unreported > 0 {
            delivered.increment(by: unreported)
            unreported = 0
        }
        context.fireChannelReadComplete()
    }

    private func schedulePing(every interval: TimeAmount, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: interval) {
            let (session, context) = loopBound.value
            guard context.channel.isActive else { return }
            session.send(.ping, context: context)
            session.schedulePing(every: interval, context: context)
        }
    }

    private func send(_ message: ProtocolMessage, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(
            fin: true, opcode: .binary, maskKey: .random(), data: context.channel.allocator.buffer(bytes: message.wireBytes))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}

/// Counts fixed-size messages by bytes at the head of the pipeline and passes nothing on.
final class ByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let frameBytes: Int
    private let delivered: Counter
    private var bytes = 0
    private var counted = 0

    init(frameBytes: Int, delivered: Counter) {
        self.frameBytes = frameBytes
        self.delivered = delivered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytes
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        let total = bytes / frameBytes
        if total > counted {
            delivered.increment(by: total - counted)
            counted = total
        }
        context.fireChannelReadComplete()
    }
}
