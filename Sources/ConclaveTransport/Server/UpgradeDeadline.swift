import NIOCore

/// Closes a connection that has not become a WebSocket within the deadline.
///
/// NIO's HTTP server waits for a request head without a time limit, so a peer that
/// connects and sends nothing (or trickles a request) would hold a connection for ever. This
/// handler is installed when the connection is accepted (below TLS, so a stalled TLS handshake
/// counts too) and removed when the upgrade is accepted; from there the protocol handshake has
/// its own deadline. Plain HTTP requests (`/health`) are answered well within it.
final class UpgradeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) {
            loopBoundContext.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
