public import ConclaveProtocol

/// The server's view of one accepted WebSocket connection.
public struct ServerConnection: Sendable {
    /// Frames from the client.
    public let inbound: FrameInbound
    /// Frames to the client through the WebSocket library: the handshake's replies and its
    /// closing handshake, before a session exists.
    public let outbound: FrameOutbound
    /// Frames to the client once a session exists: the bounded queue on the connection's event
    /// loop that fan-out and replies go through.
    public let output: SessionOutput
    /// The peer's address, for logs.
    public let remoteAddress: String?
    /// The peer's IP address alone (no port), the key of per-address limits.
    public let remoteIP: String?
    /// When the connection last received anything (frames or WebSocket control frames).
    public let activity: ConnectionActivity
    /// The protocol extensions agreed at the upgrade (asked for by the client, accepted here).
    public var extensions: Set<ProtocolExtension> = []
}
