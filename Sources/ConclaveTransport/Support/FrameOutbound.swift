public import ConclaveProtocol
public import NIOCore
import NIOWebSocket
import WSCore

/// Sends frames on one WebSocket connection, one binary message per frame.
public struct FrameOutbound: Sendable {
    let writer: WebSocketOutboundWriter

    init(writer: WebSocketOutboundWriter) {
        self.writer = writer
    }

    /// Encodes and sends one frame.
    public func send(_ message: ProtocolMessage) async throws {
        try await writer.write(.binary(ByteBuffer(bytes: message.wireBytes)))
    }

    /// Sends an already encoded frame (its protocol bytes).
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

    /// Sends a WebSocket text message, which the protocol does not use (for tests that the
    /// server ignores it).
    public func writeText(_ text: String) async throws {
        try await writer.write(.text(text))
    }
}

extension FrameOutbound {
    /// Sends a WebSocket-level ping (not a protocol `Ping`); a peer answers it with a pong.
    public func sendWebSocketPing() async throws {
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())))
    }
}
