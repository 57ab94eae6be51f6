public import ConclaveProtocol
import NIOCore
import WSCore

/// The frames arriving on one WebSocket connection, in order.
///
/// Each binary message is decoded into one frame (bytes after it are ignored, as the reference
/// does); text messages are skipped; the sequence ends when the peer closes. Messages larger than
/// the iterator's ``FrameAcceptance`` allows end the connection with an error, and frames of a
/// variant it does not accept are reported by their index without being decoded.
///
/// A client reads through the WebSocket client library; a server connection reads what its
/// pipeline hands up (``ServerFrameStream``), so no task but the session's waits on it.
public struct FrameInbound: AsyncSequence, Sendable {
    public typealias Element = InboundFrame

    private enum Source: Sendable {
        case client(WebSocketInboundStream)
        case server(ServerFrameStream)
    }

    private let source: Source

    init(stream: WebSocketInboundStream) {
        source = .client(stream)
    }

    init(server stream: ServerFrameStream) {
        source = .server(stream)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Base {
            case client(WebSocketInboundStream.AsyncIterator)
            case server(ServerFrameStream.Reader)
        }

        fileprivate var base: Base
        /// What is decoded, and how large a message may be, from the next message on.
        public var acceptance = FrameAcceptance.everything

        public mutating func next() async throws -> InboundFrame? {
            switch base {
            case var .client(iterator):
                defer { base = .client(iterator) }
                while let message = try await iterator.nextMessage(maxSize: acceptance.maximumBytes) {
                    guard case let .binary(buffer) = message else { continue }
                    return acceptance.classify(buffer)
                }
                return nil
            case var .server(reader):
                defer { base = .server(reader) }
                return try await reader.nextMessage(maxSize: acceptance.maximumBytes).map(acceptance.classify)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case let .client(stream): AsyncIterator(base: .client(stream.makeAsyncIterator()))
        case let .server(stream): AsyncIterator(base: .server(ServerFrameStream.Reader(stream)))
        }
    }
}

extension FrameAcceptance {
    /// One binary message as this policy sees it: refused by its tag, decoded, or undecodable.
    func classify(_ buffer: ByteBuffer) -> InboundFrame {
        let bytes = buffer.readableBytesView
        if variants != nil, let index = ProtocolMessage.variantIndex(ofWireBytes: bytes), !accepts(variantIndex: index) {
            return .refused(variantIndex: index)
        }
        do {
            return .message(try ProtocolMessage(wireBytes: Array(bytes)))
        } catch {
            return .undecodable(error)
        }
    }
}
