import NIOCore

/// Sits just below the WebSocket frame encoder (between it and TLS, if any) so a server can write
/// ready-made WebSocket messages (``EncodedFrame/message``) without re-encoding them per
/// connection. Everything else passes through untouched.
final class RawMessageWriter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Closes the connection at once, failing writes still waiting for the socket (a peer that
    /// stopped reading would otherwise hold them, and whoever waits on them, for ever).
    /// Must run on the channel's event loop.
    func abort() {
        context?.close(mode: .all, promise: nil)
    }

    /// Writes `messages` in order and flushes once; `promise` completes with the last write.
    /// Must run on the channel's event loop.
    func write(_ messages: [ByteBuffer], promise: EventLoopPromise<Void>) {
        guard let context else {
            promise.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let last = messages.count - 1
        for (index, message) in messages.enumerated() {
            context.write(wrapOutboundOut(message), promise: index == last ? promise : nil)
        }
        context.flush()
    }
}
