import ConclaveProtocol
import ConclaveTransport

/// What the session loop needs of a connection besides its inbound frames: where its frames go
/// (every one, handshake included), who it is from, and what it agreed to.
struct SessionConnection: Sendable {
    /// The connection's output: a ``SessionOutput`` on a socket, a ``FrameQueue`` without one.
    let output: any OutboundSink
    /// The peer's IP address (the key of per-address limits), when known.
    let remoteIP: String?
    /// Transport-level activity, when there is a transport.
    let activity: ConnectionActivity?
    /// The protocol extensions agreed at the upgrade.
    let extensions: Set<ProtocolExtension>
}
