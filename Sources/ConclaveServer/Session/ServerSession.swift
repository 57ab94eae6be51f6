import ConclaveProtocol
import ConclaveTransport
import Synchronization

/// One authenticated, attached connection.
///
/// Shared between the hub (which delivers to it and may kill it) and its connection task (which
/// reads and writes). Identity is by object: a superseded session's late cleanup must not remove
/// its replacement.
final class ServerSession: Sendable {
    /// The session's full path.
    let path: SessionPath
    /// Whether the user is on the server's admin allowlist.
    let isAdmin: Bool
    /// Where its frames go: the connection's ``SessionOutput``, or a ``FrameQueue`` in tests.
    let output: any OutboundSink
    /// When the last decoded frame arrived.
    private let frameActivity: ConnectionActivity
    private let killReason = Mutex<String?>(nil)

    /// Transport-level activity of the connection, when there is one.
    private let connectionActivity: ConnectionActivity?
    /// The hub's revocation epoch read before this session's key was looked up (or its account
    /// created): a revocation of its machine recorded after that refuses the attach.
    let revocationEpoch: UInt64

    /// The protocol extensions this session's client agreed to at the upgrade.
    let extensions: Set<ProtocolExtension>
    /// The machine key the session proved at the handshake (`nil` in tests that attach sessions
    /// directly): the only key its signed messages may name.
    let machineKey: [UInt8]?

    /// Tells this connection from an earlier or later one on the same path, in the cluster
    /// directory (a late release of a superseded session must not remove its replacement).
    let clusterToken = UInt64.random(in: 1...UInt64.max)

    init(
        path: SessionPath, isAdmin: Bool, output: any OutboundSink, now: ContinuousClock.Instant,
        connectionActivity: ConnectionActivity? = nil, revocationEpoch: UInt64 = .max, extensions: Set<ProtocolExtension> = [],
        machineKey: [UInt8]? = nil
    ) {
        self.extensions = extensions
        self.machineKey = machineKey
        self.revocationEpoch = revocationEpoch
        self.path = path
        self.isAdmin = isAdmin
        self.output = output
        frameActivity = ConnectionActivity(now: now)
        self.connectionActivity = connectionActivity
    }

    var user: String { path.user }

    /// Whether this session gets message ids and receipts (the `receipts` extension).
    var speaksReceipts: Bool { extensions.contains(.receipts) }
    /// Whether this session agreed to `signatures`: it may send signed frames and receives them.
    var speaksSignatures: Bool { extensions.contains(.signatures) }
    /// Whether this session agreed to `e2e` (key announcements and shares, encrypted channels).
    var speaksEndToEnd: Bool { extensions.contains(.e2e) }

    /// Records inbound activity (any decoded frame, or a WebSocket ping).
    func touch(now: ContinuousClock.Instant) {
        frameActivity.touch(now: now)
    }

    /// How long since the last inbound activity: a decoded frame, or any bytes at all (which
    /// includes WebSocket pings).
    func idleTime(now: ContinuousClock.Instant) -> Duration {
        let sinceFrame = frameActivity.idleTime(now: now)
        guard let connectionActivity else { return sinceFrame }
        return min(sinceFrame, connectionActivity.idleTime(now: now))
    }

    /// Ends the session: queues `preceding` (if any) and `Error(Unauthorized(reason))`, whatever
    /// the queue holds, and closes the output (WebSocket status 1000 once they are written). The
    /// first reason wins; later calls do nothing.
    func kill(reason: String, preceding: EncodedFrame? = nil) {
        guard claimEnd(reason) else { return }
        output.close(finals: (preceding.map { [$0] } ?? []) + [EncodedFrame(ProtocolMessage.error(.unauthorized(reason)))], ending: .normal)
    }

    /// Ends the session because the server is going away: what is queued is still written, then
    /// the connection closes with WebSocket status 1001 and no `Error` frame. Reference clients
    /// take a mid-stream `Error` as a deliberate end and stop, while a plain close makes them
    /// reconnect, which is what a restart needs.
    func endForShutdown(reason: String) {
        guard claimEnd(reason) else { return }
        output.close(finals: [], ending: .goingAway(reason))
    }

    private func claimEnd(_ reason: String) -> Bool {
        killReason.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
    }

    /// The reason the session was killed, if it was.
    var terminationReason: String? { killReason.withLock { $0 } }

    /// Whether the connection has refused more bytes for `limit` or longer: the peer stopped
    /// reading.
    func writeStalled(now: ContinuousClock.Instant, limit: Duration) -> Bool {
        guard let since = output.stalledSince else { return false }
        return since.duration(to: now) >= limit
    }

    /// Cuts the socket, ending writes that wait on a peer that stopped reading.
    func closeConnection() {
        output.abort()
    }
}
