import NIOCore
import NIOWebSocket

/// The event-loop half of ``SessionOutput``: sits just below the WebSocket frame encoder (and
/// above TLS, if any) and writes ready-made WebSocket messages there.
///
/// It writes while the channel is writable and flushes once per batch; what the socket cannot
/// take stays queued here (bounded by ``SessionOutput/capacity``). When the session ends it
/// writes the last frames and the WebSocket close itself, so no task waits on a session's output.
/// Writes from above (pongs, the WebSocket layer's own error closes) pass through until the close
/// is sent and are dropped after it (a close answered twice would break the closing handshake).
final class SessionOutputHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var queue = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    /// How many of the queued messages, from the front, count against the facade's capacity
    /// (the finals of a close come after them and do not).
    private var counted = 0
    private var ending: ConnectionEnding?
    private var closeSent = false
    /// Whether this connection is already in the current drain's list.
    private var touched = false
    /// Cuts a peer that does not answer our close; cancelled when the connection ends first.
    private var closeTimer: Scheduled<Void>?
    private let closeTimeout: TimeAmount
    /// Set once the facade exists (right after the handler is added).
    weak var output: SessionOutput?

    /// Most bytes copied into one coalesced write.
    static let coalescingLimit = 16 * 1024

    init(closeTimeout: TimeAmount) {
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        dropEverything()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        dropEverything()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        output?.markWritable(writable)
        if writable { writePending() }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closeSent else {
            promise?.succeed()
            return
        }
        context.write(data, promise: promise)
    }

    /// Takes one item from the inbox; `true` the first time in a drain, so the inbox calls
    /// ``writePending()`` once per connection.
    func receive(_ item: LoopInbox.Item) -> Bool {
        switch item {
        case let .frame(message):
            guard ending == nil, context != nil else {
                output?.released(1)
                return false
            }
            queue.append(message)
            counted += 1
        case let .violation(code):
            closeNow(code: code)
            return false
        case let .close(finals, ending):
            guard self.ending == nil, context != nil else { return false }
            self.ending = ending
            if ending != .peerClosed {
                // Bounds the whole ending, the finals included: a peer that stopped reading does not
                // keep a closing connection.
                startCloseTimer()
            }
            if ending == .peerClosed {
                // Its close is answered already: nothing may follow it on the wire.
                dropQueued()
            } else {
                queue.append(contentsOf: finals)
            }
        }
        guard !touched else { return false }
        touched = true
        return true
    }

    /// Writes what the socket will take, flushes once, and finishes the close when all is out.
    func writePending() {
        touched = false
        guard let context else { return }
        var written = 0
        while context.channel.isWritable, let first = queue.popFirst() {
            written += 1
            guard let next = queue.first, first.readableBytes + next.readableBytes <= Self.coalescingLimit else {
                context.write(wrapOutboundOut(first), promise: nil)
                continue
            }
            // Small frames go out as one buffer: one write through the pipeline and one entry in
            // the socket's pending writes instead of one per frame (a copy of a few hundred bytes
            // costs less than either), as a Redis client's output buffer does.
            // Sized to what it will hold, not to the limit: a drain often carries two frames.
            var size = first.readableBytes
            var joining = 0
            for message in queue {
                guard size + message.readableBytes <= Self.coalescingLimit else { break }
                size += message.readableBytes
                joining += 1
            }
            var chunk = context.channel.allocator.buffer(capacity: size)
            chunk.writeImmutableBuffer(first)
            for _ in 0..<joining { chunk.writeImmutableBuffer(queue.removeFirst()) }
            written += joining
            context.write(wrapOutboundOut(chunk), promise: nil)
        }
        let released = min(written, counted)
        counted -= released
        if released > 0 { output?.released(released) }
        if queue.isEmpty, let ending, !closeSent {
            finish(ending, context: context)
        } else if written > 0 {
            context.flush()
        }
        if !context.channel.isWritable { output?.markWritable(false) }
    }

    /// Cuts the connection now (a peer that stopped reading).
    func abort() {
        context?.close(mode: .all, promise: nil)
    }

    private func finish(_ ending: ConnectionEnding, context: ChannelHandlerContext) {
        let close: ByteBuffer?
        switch ending {
        case .normal: close = Self.closeFrame(code: .normalClosure, reason: nil, allocator: context.channel.allocator)
        case let .goingAway(reason): close = Self.closeFrame(code: .goingAway, reason: reason, allocator: context.channel.allocator)
        case .peerClosed: close = nil
        }
        closeSent = true
        if let close {
            context.write(wrapOutboundOut(close), promise: nil)
        }
        context.flush()
        // The peer answers our close (``peerClosed()`` then ends the connection); one that
        // never answers is cut by the close timer, running since the session ended.
    }

    private func startCloseTimer() {
        guard closeTimer == nil, let context else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        closeTimer = context.eventLoop.scheduleTask(in: closeTimeout) {
            bound.value.close(promise: nil)
        }
    }

    // MARK: Called by ServerWebSocketHandler and the inbox, on the event loop

    /// The peer sent its close. If ours went first the closing handshake is complete; otherwise it
    /// is answered now (with 1000: echoing the peer's code could echo one that must not be sent),
    /// and nothing queued follows it (RFC 6455 §5.5.1). Either way the server then ends the TCP
    /// connection (§7.1.1).
    func peerClosed() {
        guard let context else { return }
        guard !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        if ending == nil { ending = .peerClosed }
        output?.connectionEnded()
        dropQueued()
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let reply = Self.closeFrame(code: .normalClosure, reason: nil, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// The peer broke the WebSocket protocol: queued frames are dropped and the connection closes
    /// with `code` (1009 for a message over the limit, 1002 for a stray continuation).
    func closeNow(code: WebSocketErrorCode) {
        guard let context, !closeSent else { return }
        output?.connectionEnded()
        if ending == nil { ending = .normal }
        dropQueued()
        closeSent = true
        context.writeAndFlush(wrapOutboundOut(Self.closeFrame(code: code, reason: nil, allocator: context.channel.allocator)), promise: nil)
        startCloseTimer()
    }

    private func dropQueued() {
        queue.removeAll()
        if counted > 0 { output?.released(counted) }
        counted = 0
    }

    private func dropEverything() {
        closeTimer?.cancel()
        closeTimer = nil
        output?.connectionEnded()
        dropQueued()
    }

    /// An unmasked WebSocket close frame (RFC 6455 §5.5.1): status code, then an optional reason
    /// (at most 123 bytes of UTF-8, cut at a character boundary).
    static func closeFrame(code: WebSocketErrorCode, reason: String?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var reasonBytes = Array((reason ?? "").utf8)
        if reasonBytes.count > 123 {
            var end = 123
            while end > 0, reasonBytes[end] & 0xC0 == 0x80 { end -= 1 }
            reasonBytes = Array(reasonBytes[..<end])
        }
        var buffer = allocator.buffer(capacity: 4 + reasonBytes.count)
        buffer.writeInteger(UInt8(0x88))
        buffer.writeInteger(UInt8(2 + reasonBytes.count))
        buffer.write(webSocketErrorCode: code)
        buffer.writeBytes(reasonBytes)
        return buffer
    }
}
