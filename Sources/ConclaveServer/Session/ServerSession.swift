import ConclaveProtocol
import NIOCore
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
    /// Frames waiting to be written.
    let queue: OutboundQueue
    private let lastActivity: Atomic<Int64>
    private let killReason = Mutex<String?>(nil)

    /// Transport-level activity of the connection, when there is one.
    private let connectionActivity: ConnectionActivity?

    init(
        path: SessionPath, isAdmin: Bool, queueCapacity: Int, now: ContinuousClock.Instant,
        connectionActivity: ConnectionActivity? = nil
    ) {
        self.path = path
        self.isAdmin = isAdmin
        queue = OutboundQueue(capacity: queueCapacity)
        lastActivity = Atomic(Self.milliseconds(now))
        self.connectionActivity = connectionActivity
    }

    var user: String { path.user }

    /// Records inbound activity (any decoded frame, or a WebSocket ping).
    func touch(now: ContinuousClock.Instant) {
        lastActivity.store(Self.milliseconds(now), ordering: .relaxed)
    }

    /// How long since the last inbound activity: a decoded frame, or any bytes at all (which
    /// includes WebSocket pings).
    func idleTime(now: ContinuousClock.Instant) -> Duration {
        let sinceFrame = Duration.milliseconds(Self.milliseconds(now) - lastActivity.load(ordering: .relaxed))
        guard let connectionActivity else { return sinceFrame }
        return min(sinceFrame, connectionActivity.idleTime(now: now))
    }

    /// Ends the session: queues `Error(Unauthorized(reason))` and closes the queue. The first
    /// reason wins; later calls do nothing.
    func kill(reason: String) {
        let first = killReason.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
        guard first else { return }
        queue.close(final: ByteBuffer(bytes: ProtocolMessage.error(.unauthorized(reason)).wireBytes))
    }

    /// The reason the session was killed, if it was.
    var terminationReason: String? { killReason.withLock { $0 } }

    /// Milliseconds since a fixed process-wide origin, so instants fit in an atomic integer.
    private static func milliseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let components = origin.duration(to: instant).components
        return components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    private static let origin = ContinuousClock.now
}
