import NIOCore
import NIOWebSocket

/// The top of an upgraded server connection: answers WebSocket control frames itself and hands
/// data frames to the session through a back-pressured sequence (``ServerFrameStream``).
///
/// It reads from the socket only while the session wants more: when the sequence holds its high
/// watermark, the next `read` waits here until the session has taken frames. No task waits on the
/// connection for this; the one reading the sequence is the session itself.
final class ServerWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    typealias Source = NIOAsyncSequenceProducer<
        WebSocketFrame, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ServerFrameStream.Delegate
    >.Source

    private var context: ChannelHandlerContext?
    /// Set right after the handler is added (the sequence's delegate needs the handler first).
    var source: Source?
    private let output: SessionOutputHandler
    private var producing = true
    private var readPending = false

    init(output: SessionOutputHandler) {
        self.output = output
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        source?.finish()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        source?.finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .text, .continuation:
            let data = frame.maskKey == nil ? frame.data : frame.unmaskedData
            switch source?.yield(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: data)) {
            case .stopProducing?: producing = false
            case .produceMore?, .dropped?, nil: break
            }
        case .ping:
            // RFC 6455 §5.5.2: answered with the same application data.
            let data = frame.maskKey == nil ? frame.data : frame.unmaskedData
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: data)), promise: nil)
        case .connectionClose:
            output.peerClosed()
            source?.finish()
        default:
            // Pongs and reserved opcodes carry nothing for the session.
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        guard producing else {
            readPending = true
            return
        }
        context.read()
    }

    /// The session took frames: reading resumes.
    func produceMore() {
        producing = true
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    /// The session will read no more frames (it ended, or never read). Ending the connection is
    /// the server's job once the session returns, not this one's: the sequence also terminates
    /// when it is merely released unread, which says nothing about the session. Reads go on, so
    /// the peer's close is still seen; data frames are dropped.
    func didTerminate() {
        produceMore()
    }
}
