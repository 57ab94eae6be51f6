import NIOCore
import NIOPosix

/// The Redis pub/sub anchor, spoken in RESP by this process: N subscriber connections and one
/// publisher, the same bodies and counts as the Conclave run.
struct RedisLoad {
    let host: String
    let port: Int

    init(address: String) throws {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw LoadError("redis address must be host:port") }
        host = String(parts[0])
        self.port = port
    }

    static func command(_ parts: [String]) -> ByteBuffer {
        var text = "*\(parts.count)\r\n"
        for part in parts { text += "$\(part.utf8.count)\r\n\(part)\r\n" }
        return ByteBuffer(string: text)
    }

    func fanout(subscribers: Int, messages: Int, body size: Int, window: Int, pacing: Pacing, stopwatch: Stopwatch) async throws {
        let channelName = "fanout"
        let body = Fleet.body("fanout", size: size)
        let confirmation = "*3\r\n$9\r\nsubscribe\r\n$\(channelName.utf8.count)\r\n\(channelName)\r\n:1\r\n".utf8.count
        let messageSize = "*3\r\n$7\r\nmessage\r\n$\(channelName.utf8.count)\r\n\(channelName)\r\n$\(body.utf8.count)\r\n\(body)\r\n".utf8.count
        let ready = Counter()
        let delivered = Counter()
        var channels: [any Channel] = []
        for _ in 0..<subscribers {
            let channel = try await pacing.configure(ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if pacing.isPaced { try channel.pipeline.syncOperations.addHandler(PacedReader(pause: pacing.pause)) }
                        try channel.pipeline.syncOperations.addHandler(
                            SubscriberCounter(confirmation: confirmation, messageSize: messageSize, ready: ready, delivered: delivered))
                    }
                }
                .connect(host: host, port: port).get()
            try await channel.writeAndFlush(Self.command(["SUBSCRIBE", channelName])).get()
            channels.append(channel)
        }
        guard await ready.wait(for: subscribers, timeout: .seconds(60)) else { throw LoadError("redis subscribers did not subscribe") }
        let (replies, replyContinuation) = AsyncStream.makeStream(of: Int.self)
        let publisher = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ReplyCounter(replies: replyContinuation))
                }
            }
            .connect(host: host, port: port).get()
        let publish = Self.command(["PUBLISH", channelName, body])
        stopwatch.start()
        var iterator = replies.makeAsyncIterator()
        var sent = 0
        while sent < messages {
            let batch = min(window, messages - sent)
            for _ in 0..<batch { publisher.write(publish, promise: nil) }
            publisher.flush()
            var answered = 0
            while answered < batch, let count = await iterator.next() { answered += count }
            sent += batch
        }
        guard await delivered.wait(for: subscribers * messages, timeout: .seconds(600), stallLimit: .seconds(30)) else {
            throw LoadError("only \(delivered.current) of \(subscribers * messages) redis deliveries arrived")
        }
        stopwatch.stop()
        try await publisher.close()
        for channel in channels { try? await channel.close() }
    }
}

/// Counts whole pub/sub messages by size (every message has the same size).
final class SubscriberCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let confirmation: Int
    private let messageSize: Int
    private let ready: Counter
    private let delivered: Counter
    private var bytes = 0
    private var counted = 0
    private var isReady = false

    init(confirmation: Int, messageSize: Int, ready: Counter, delivered: Counter) {
        self.confirmation = confirmation
        self.messageSize = messageSize
        self.ready = ready
        self.delivered = delivered
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        bytes += unwrapInboundIn(data).readableBytes
        if !isReady, bytes >= confirmation {
            isReady = true
            ready.increment()
        }
        guard isReady else { return }
        let total = (bytes - confirmation) / messageSize
        if total > counted {
            delivered.increment(by: total - counted)
            counted = total
        }
    }
}

/// Counts integer replies (`:n\r\n`) to PUBLISH.
final class ReplyCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let replies: AsyncStream<Int>.Continuation

    init(replies: AsyncStream<Int>.Continuation) {
        self.replies = replies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let count = buffer.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        if count > 0 { replies.yield(count) }
    }
}
