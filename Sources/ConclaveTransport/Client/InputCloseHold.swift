import NIOCore

/// Holds back the end of the server's input (`ChannelEvent.inputClosed`) while the WebSocket
/// upgrade is under way, then passes it on.
///
/// A server may answer the upgrade and at once send its last frames and close (a refusal, a
/// shutdown). When that end of input reached the pipeline while NIO was still swapping the HTTP
/// handlers for the WebSocket ones, the frames were lost and the frame stream created a moment
/// later never learnt that the input had ended: the connection hung with the server's reason
/// unread. Held here until the upgrade has settled, the event arrives after the buffered frames,
/// as it did on the wire.
///
/// Only an end of input after a `101 Switching Protocols` status line is held. After any other
/// response, the HTTP decoder must see it to fail the upgrade at once; before any response, the
/// upgrade can no longer succeed, so the connection is closed rather than left to time out.
final class InputCloseHold: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private static let switchingStatus = Array("HTTP/1.1 101".utf8)

    private let url: String
    private var context: ChannelHandlerContext?
    private var upgrading = true
    /// The first bytes of the response, up to the length of ``switchingStatus``.
    private var responseStart: [UInt8] = []
    private var held = false

    init(url: String) {
        self.url = url
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let missing = Self.switchingStatus.count - responseStart.count
        if upgrading, missing > 0 {
            responseStart += unwrapInboundIn(data).readableBytesView.prefix(missing)
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard upgrading, case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if responseStart == Self.switchingStatus {
            held = true
            return
        }
        if responseStart.isEmpty {
            // Fails the upgrade with a reason instead of NIO's "inappropriate operation for state".
            context.fireErrorCaught(TransportError.connectFailed(
                url: url, reason: "the server closed the connection without answering the WebSocket upgrade"))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Called on the event loop once the upgrade has settled and its buffered bytes are through.
    /// Passes on a held end of input, then leaves the pipeline: every later read would only pass
    /// through it.
    func upgradeSettled() {
        upgrading = false
        guard let context else { return }
        if held {
            held = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension InputCloseHold: Sendable {}
