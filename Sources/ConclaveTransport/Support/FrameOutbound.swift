public import ConclaveProtocol
public import NIOCore
import WSCore

/// Sends frames on one WebSocket connection, one binary message per frame.
public struct FrameOutbound: Sendable {
    let writer: WebSocketOutboundWriter

    /// Encodes and sends one frame.
    public func send(_ message: ProtocolMessage) async throws {
        try await writer.write(.binary(ByteBuffer(bytes: message.wireBytes)))
    }

    /// Sends an already encoded frame; fan-out encodes once and sends the same bytes to everyone.
    public func send(encoded frame: ByteBuffer) async throws {
        try await writer.write(.binary(frame))
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
