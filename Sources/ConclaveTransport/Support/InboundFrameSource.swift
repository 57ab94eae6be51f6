/// The frames arriving on a server connection as the session loop reads them: from a WebSocket
/// (``FrameInbound``), or scripted by a test or a fuzz target, so the real loop runs without a
/// socket.
public protocol InboundFrameSource: AsyncIteratorProtocol where Element == InboundFrame {
    /// What is decoded from the next frame on (handshake frames only before authentication).
    var acceptance: FrameAcceptance { get set }
}

extension FrameInbound.AsyncIterator: InboundFrameSource {}
