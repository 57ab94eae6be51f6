public import ConclaveProtocol
public import NIOCore

/// A protocol frame encoded once, ready to be sent to any number of server connections.
///
/// It holds the frame as a complete unmasked WebSocket binary message (header, then the protocol
/// bytes) in one buffer: a server writes that buffer as it is to every recipient, so fan-out
/// encodes neither the frame nor its WebSocket framing more than once, and each delivery is one
/// contiguous write. Client connections, which must mask, send ``wireBytes`` instead.
public struct EncodedFrame: Sendable {
    /// Header and payload: what goes on the wire from a server.
    public let message: ByteBuffer
    private let headerLength: Int

    /// Encodes `frame`.
    public init(_ frame: ProtocolMessage) {
        self.init(wireBytes: frame.wireBytes)
    }

    /// Frames already encoded protocol bytes (or any bytes, for tests of hostile input).
    public init(wireBytes bytes: [UInt8]) {
        var message = ByteBuffer()
        message.reserveCapacity(bytes.count + 10)
        // FIN + binary opcode; never masked (RFC 6455 §5.1: servers do not mask).
        message.writeInteger(UInt8(0x82))
        switch bytes.count {
        case ..<126:
            message.writeInteger(UInt8(bytes.count))
        case ...Int(UInt16.max):
            message.writeInteger(UInt8(126))
            message.writeInteger(UInt16(bytes.count))
        default:
            message.writeInteger(UInt8(127))
            message.writeInteger(UInt64(bytes.count))
        }
        headerLength = message.readableBytes
        message.writeBytes(bytes)
        self.message = message
    }

    /// The protocol bytes alone (a view of ``message``, not a copy).
    public var wireBytes: ByteBuffer {
        message.getSlice(at: message.readerIndex + headerLength, length: message.readableBytes - headerLength) ?? ByteBuffer()
    }
}
