import NIOCore
import NIOWebSocket

/// The data frames of one upgraded server connection, as the session reads them, and the reading
/// side's message assembly: binary messages are joined from their fragments up to the size the
/// receiver accepts, text messages are skipped, and a message that breaks the rules closes the
/// connection with the matching WebSocket status.
struct ServerFrameStream: Sendable {
    typealias Frames = NIOAsyncSequenceProducer<
        WebSocketFrame, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Delegate
    >

    /// Frames buffered before the connection stops reading from the socket, and resumes below.
    static let highWatermark = 16
    static let lowWatermark = 4

    let frames: Frames
    /// Where a violation closes the connection.
    let output: SessionOutput

    /// Creates the stream for `handler`, on its event loop.
    static func attach(to handler: ServerWebSocketHandler, output: SessionOutput, eventLoop: any EventLoop) -> ServerFrameStream {
        let bound = NIOLoopBound(handler, eventLoop: eventLoop)
        let made = Frames.makeSequence(
            backPressureStrategy: .init(lowWatermark: lowWatermark, highWatermark: highWatermark),
            finishOnDeinit: true,
            delegate: Delegate(handler: bound))
        handler.source = made.source
        return ServerFrameStream(frames: made.sequence, output: output)
    }

    /// Turns the sequence's demand into socket reads, on the connection's event loop.
    struct Delegate: NIOAsyncSequenceProducerDelegate {
        let handler: NIOLoopBound<ServerWebSocketHandler>

        func produceMore() {
            let handler = handler
            handler.eventLoop.execute { handler.value.produceMore() }
        }

        func didTerminate() {
            let handler = handler
            handler.eventLoop.execute { handler.value.didTerminate() }
        }
    }

    /// Why reading stopped with an error (the connection is being closed with that status).
    struct Violation: Error {
        let code: WebSocketErrorCode
    }

    /// Reads whole messages.
    struct Reader {
        var frames: Frames.AsyncIterator
        let output: SessionOutput
        /// Inside a fragmented text message, whose continuations are skipped.
        private var skippingText = false

        init(_ stream: ServerFrameStream) {
            frames = stream.frames.makeAsyncIterator()
            output = stream.output
        }

        /// The next binary message, at most `maxSize` bytes; `nil` once the peer closed.
        mutating func nextMessage(maxSize: Int) async throws(Violation) -> ByteBuffer? {
            var assembling: ByteBuffer?
            while let frame = await frames.next() {
                switch frame.opcode {
                case .text:
                    guard assembling == nil, !skippingText else { throw fail(.protocolError) }
                    skippingText = !frame.fin
                case .binary:
                    guard assembling == nil, !skippingText else { throw fail(.protocolError) }
                    guard frame.data.readableBytes <= maxSize else { throw fail(.messageTooLarge) }
                    if frame.fin { return frame.data }
                    assembling = frame.data
                case .continuation:
                    if skippingText {
                        skippingText = !frame.fin
                        continue
                    }
                    guard var message = assembling else { throw fail(.protocolError) }
                    guard message.readableBytes + frame.data.readableBytes <= maxSize else { throw fail(.messageTooLarge) }
                    var data = frame.data
                    message.writeBuffer(&data)
                    if frame.fin { return message }
                    assembling = message
                default:
                    continue
                }
            }
            return nil
        }

        private func fail(_ code: WebSocketErrorCode) -> Violation {
            output.close(violating: code)
            return Violation(code: code)
        }
    }
}
