import WSCore

/// The frames arriving on one WebSocket connection, in order.
///
/// Each binary message is decoded into one frame (bytes after it are ignored, as the reference
/// does); text messages are skipped; the sequence ends when the peer closes. Messages larger than
/// ``ConclaveProtocol/FrameLimits/maxFrameBytes`` end the connection with an error.
public struct FrameInbound: AsyncSequence, Sendable {
    public typealias Element = InboundFrame

    let stream: WebSocketInboundStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: WebSocketInboundStream.AsyncIterator

        public mutating func next() async throws -> InboundFrame? {
            while let message = try await base.nextMessage(maxSize: FrameLimits.maxFrameBytes) {
                guard case let .binary(buffer) = message else { continue }
                do {
                    return .message(try ProtocolMessage(wireBytes: Array(buffer.readableBytesView)))
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
