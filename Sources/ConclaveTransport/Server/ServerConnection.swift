public import ConclaveProtocol

/// The server's view of one accepted WebSocket connection.
public struct ServerConnection: Sendable {
    /// Frames from the client.
    public let inbound: FrameInbound
    /// Frames to the client: the bounded queue on the connection's event loop that the handshake's
    /// replies, fan-out and replies go through, and which ends the connection.
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
