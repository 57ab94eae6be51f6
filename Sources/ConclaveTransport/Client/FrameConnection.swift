public import ConclaveIdentity

/// A client's open WebSocket connection to a server, valid for the duration of a
/// ``FrameLink/connect(to:tls:timeout:logger:_:)`` body.
public struct FrameConnection: Sendable {
    /// The server this connection reaches.
    public let url: ServerURL
    /// The server's instance ID from the `x-conclave-server-id` upgrade header, if it sent one.
    public let serverID: String?
    /// Frames from the server.
    public let inbound: FrameInbound
    /// Frames to the server.
    public let outbound: FrameOutbound
}
