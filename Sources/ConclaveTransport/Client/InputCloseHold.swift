import NIOCore

/// Holds back the end of the server's input (`ChannelEvent.inputClosed`) until the WebSocket
/// upgrade has finished, then passes it on.
///
/// A server may answer the upgrade and at once send its last frames and close (a refusal, a
/// shutdown). If the end of input reaches the pipeline while NIO is still swapping the HTTP
/// handlers for the WebSocket ones, the HTTP decoder takes it as the end of its stream and drops
/// the frame bytes it holds, and the frame stream created a moment later never hears that the
/// input ended: the connection hangs with the server's reason lost. Held here, the event arrives
/// after the buffered frames, as it did on the wire.
final class InputCloseHold: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var context: ChannelHandlerContext?
    private var upgrading = true
    private var held = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if upgrading, case ChannelEvent.inputClosed = event {
            held = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Called on the event loop once the upgrade has settled and its buffered bytes are through.
    func upgradeSettled() {
        upgrading = false
        guard held, let context else { return }
        held = false
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
}

@available(*, unavailable)
extension InputCloseHold: Sendable {}
