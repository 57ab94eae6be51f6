public import ConclaveProtocol

/// What a frame from the server is to a client that matches replies by order: the one rule for
/// telling a reply from everything else, used by ``ControlSession`` and the bridge.
public enum InboundRole: Sendable {
    /// A message another session sent: it arrives whenever it is sent, never as a reply.
    case push(ReceivedMessage)
    /// News about one of this session's own messages (`receipts`), unsolicited.
    case receiptUpdate(id: UInt64, record: ReceiptRecord)
    /// Connection status that answers nothing a client asked (`ServerInfo`, `Pong`, `Ping`).
    case status
    /// The reply to the request in flight, or, with nothing in flight, an unsolicited frame
    /// (an `Error` before the server ends the session).
    case reply

    /// The role of `frame`.
    public init(_ frame: ProtocolMessage) {
        if let message = ReceivedMessage(frame) {
            self = .push(message)
            return
        }
        switch frame {
        case let .receiptUpdate(id, record): self = .receiptUpdate(id: id, record: record)
        case .serverInfo, .pong, .ping: self = .status
        default: self = .reply
        }
    }
}
