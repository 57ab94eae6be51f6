public import ConclaveProtocol

/// One binary WebSocket message as received: a decoded frame, or bytes that did not decode.
public enum InboundFrame: Sendable {
    /// A frame that decoded.
    case message(ProtocolMessage)
    /// A binary message that is not a valid frame; the connection is still open.
    case undecodable(WireFormatError)
}
