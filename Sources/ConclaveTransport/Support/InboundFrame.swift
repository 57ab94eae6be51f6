public import ConclaveProtocol

/// One binary WebSocket message as received: a decoded frame, bytes that did not decode, or a
/// frame whose variant the receiver does not accept in its current state (never decoded).
public enum InboundFrame: Sendable {
    /// A frame that decoded.
    case message(ProtocolMessage)
    /// A binary message that is not a valid frame; the connection is still open.
    case undecodable(WireFormatError)
    /// A frame of variant `variantIndex`, refused by the ``FrameAcceptance`` in force before its
    /// body was decoded (so a large body of a variant nobody may send costs no allocation).
    case refused(variantIndex: UInt32)
}
