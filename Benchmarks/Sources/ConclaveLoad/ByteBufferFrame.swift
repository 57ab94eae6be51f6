import ConclaveProtocol
import NIOCore

/// A frame encoded once, sent many times.
struct ByteBufferFrame: Sendable {
    let buffer: ByteBuffer

    init(_ message: ProtocolMessage) {
        buffer = ByteBuffer(bytes: message.wireBytes)
    }
}
