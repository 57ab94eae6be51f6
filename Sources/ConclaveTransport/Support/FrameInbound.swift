import WSCore

/// The frames arriving on one WebSocket connection, in order.
///
/// Each binary message is decoded into one frame (bytes after it are ignored, as the reference
/// does); text messages are skipped; the sequence ends when the peer closes. Messages larger than
/// the iterator's ``FrameAcceptance`` allows end the connection with an error, and frames of a
/// variant it does not accept are reported by their index without being decoded.
public struct FrameInbound: AsyncSequence, Sendable {
    public typealias Element = InboundFrame

    let stream: WebSocketInboundStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: WebSocketInboundStream.AsyncIterator
        /// What is decoded, and how large a message may be, from the next message on.
        public var acceptance = FrameAcceptance.everything

        public mutating func next() async throws -> InboundFrame? {
            while let message = try await base.nextMessage(maxSize: acceptance.maximumBytes) {
                guard case let .binary(buffer) = message else { continue }
                let bytes = buffer.readableBytesView
                if acceptance.variants != nil, let index = ProtocolMessage.variantIndex(ofWireBytes: bytes),
                    !acceptance.accepts(variantIndex: index)
                {
                    return .refused(variantIndex: index)
                }
                do {
                    return .message(try ProtocolMessage(wireBytes: Array(bytes)))
                } catch {
                    return .undecodable(error)
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator())
    }
}

import ConclaveProtocol
