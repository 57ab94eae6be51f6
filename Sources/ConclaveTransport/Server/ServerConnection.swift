/// The server's view of one accepted WebSocket connection.
public struct ServerConnection: Sendable {
    /// Frames from the client.
    public let inbound: FrameInbound
    /// Frames to the client.
    public let outbound: FrameOutbound
    /// The peer's address, for logs.
    public let remoteAddress: String?
    /// When the connection last received anything (frames or WebSocket control frames).
    public let activity: ConnectionActivity
}
