public import ConclaveProtocol
public import NIOCore
import NIOWebSocket
import WSCore

/// Sends frames on one WebSocket connection, one binary message per frame.
public struct FrameOutbound: Sendable {
    let writer: WebSocketOutboundWriter
    /// On the server side, the handler below the WebSocket encoder that takes ready-made
    /// messages for ``send(batch:)`` (server frames are not masked, so they can be pre-framed).
    let rawWriter: NIOLoopBound<RawMessageWriter>?

    init(writer: WebSocketOutboundWriter, rawWriter: NIOLoopBound<RawMessageWriter>? = nil) {
        self.writer = writer
        self.rawWriter = rawWriter
    }

    /// Encodes and sends one frame.
    public func send(_ message: ProtocolMessage) async throws {
        try await writer.write(.binary(ByteBuffer(bytes: message.wireBytes)))
    }

    /// Sends an already encoded frame (its protocol bytes).
    public func send(encoded frame: ByteBuffer) async throws {
        try await writer.write(.binary(frame))
    }

    /// Sends frames encoded once (``EncodedFrame``) in order, one binary message each, and
    /// returns once the last one is handed to the kernel.
    ///
    /// On a server connection the batch costs one event-loop hop and one flush (one `writev`),
    /// and each frame is written as the ready-made message it carries: no actor hop, no
    /// WebSocket encoding and no flush per frame. This is the fan-out hot path. Frames still wait
    /// for the socket, so a peer that stops reading stalls its writer here and nowhere else. Do
    /// not call concurrently with itself on the same connection.
    public func send(batch frames: [EncodedFrame]) async throws {
        guard let rawWriter else {
            for frame in frames { try await writer.write(.binary(frame.wireBytes)) }
            return
        }
        guard !frames.isEmpty else { return }
        let eventLoop = rawWriter.eventLoop
        let written = eventLoop.makePromise(of: Void.self)
        let messages = frames.map(\.message)
        eventLoop.execute { rawWriter.value.write(messages, promise: written) }
        try await written.futureResult.get()
    }

    /// Starts the WebSocket closing handshake.
    public func close() async {
        try? await writer.close(.normalClosure, reason: nil)
    }

    /// Starts the WebSocket closing handshake with status 1001 ("going away") and `reason`: the
    /// server is stopping or restarting, and the peer should reconnect.
    public func close(goingAway reason: String) async {
        try? await writer.close(.goingAway, reason: reason)
    }

    /// Cuts the connection without a closing handshake, failing writes that wait on a peer that
    /// stopped reading (a closing handshake would queue behind them). Server connections only;
    /// elsewhere it falls back to ``close()``.
    public func abort() async {
        guard let rawWriter else {
            await close()
            return
        }
        let eventLoop = rawWriter.eventLoop
        eventLoop.execute { rawWriter.value.abort() }
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

import NIOWebSocket
