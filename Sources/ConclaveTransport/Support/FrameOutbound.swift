public import ConclaveProtocol
public import NIOCore
import NIOWebSocket
import WSCore

/// Sends frames on one WebSocket connection, one binary message per frame.
public struct FrameOutbound: Sendable {
    let writer: WebSocketOutboundWriter
    /// The server side's channel, for ``send(batch:)``: server frames are not masked, so they can
    /// go straight to the pipeline's frame encoder, many per flush.
    let serverChannel: (any Channel)?

    init(writer: WebSocketOutboundWriter, serverChannel: (any Channel)? = nil) {
        self.writer = writer
        self.serverChannel = serverChannel
    }

    /// Encodes and sends one frame.
    public func send(_ message: ProtocolMessage) async throws {
        try await writer.write(.binary(ByteBuffer(bytes: message.wireBytes)))
    }

    /// Sends an already encoded frame; fan-out encodes once and sends the same bytes to everyone.
    public func send(encoded frame: ByteBuffer) async throws {
        try await writer.write(.binary(frame))
    }

    /// Sends already encoded frames in order, one binary message each, and returns once the last
    /// one is handed to the kernel.
    ///
    /// On a server connection the batch costs one event-loop hop and one flush (one `writev`),
    /// instead of an actor hop, a hop and a flush per frame: this is the fan-out hot path. Frames
    /// still wait for the socket, so a peer that stops reading stalls its writer here and nowhere
    /// else. Do not call concurrently with itself or with ``send(_:)`` on the same connection.
    public func send(batch frames: [ByteBuffer]) async throws {
        guard let channel = serverChannel else {
            for frame in frames { try await writer.write(.binary(frame)) }
            return
        }
        guard !frames.isEmpty else { return }
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            let last = frames.count - 1
            for (index, frame) in frames.enumerated() {
                channel.write(WebSocketFrame(fin: true, opcode: .binary, data: frame), promise: index == last ? written : nil)
            }
            channel.flush()
        }
        try await written.futureResult.get()
    }

    /// Starts the WebSocket closing handshake.
    public func close() async {
        try? await writer.close(.normalClosure, reason: nil)
    }
}

extension FrameOutbound {
    /// Sends arbitrary bytes as one binary message, valid frame or not (for tests of hostile input).
    public func writeRaw(_ bytes: [UInt8]) async throws {
        try await writer.write(.binary(ByteBuffer(bytes: bytes)))
    }
}

extension FrameOutbound {
    /// Sends a WebSocket-level ping (not a protocol `Ping`); a peer answers it with a pong.
    public func sendWebSocketPing() async throws {
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())))
    }
}

import NIOWebSocket
