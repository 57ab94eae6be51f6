public import ConclaveIdentity
public import ConclaveProtocol

/// A client's open WebSocket connection to a server, valid for the duration of a
/// ``FrameLink/connect(to:tls:timeout:logger:_:)`` body.
public struct FrameConnection: Sendable {
    /// The server this connection reaches.
    public let url: ServerURL
    /// The server's instance ID from the `x-conclave-server-id` upgrade header, if it sent one.
    public let serverID: String?
    /// The path this server says it reserves for its own notices (`x-conclave-notices`), if it
    /// said so. Only whispers from that path are the server speaking; from any other server, a
    /// whisper from `conclave/server/notice` is just another peer's message.
    public let noticeSender: SessionPath?
    /// The protocol extensions both sides agreed on at the upgrade (empty with a reference
    /// server, or when none were asked for).
    public let extensions: Set<ProtocolExtension>
    /// Frames from the server.
    public let inbound: FrameInbound
    /// Frames to the server.
    public let outbound: FrameOutbound
}
