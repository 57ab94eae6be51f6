import ConclaveProtocol
import NIOCore

/// A frame encoded once, sent many times.
struct ByteBufferFrame: Sendable {
    let buffer: ByteBuffer
    /// The frame itself, for sizes.
    let message: ProtocolMessage

    init(_ message: ProtocolMessage) {
        self.message = message
        buffer = ByteBuffer(bytes: message.wireBytes)
    }
}
