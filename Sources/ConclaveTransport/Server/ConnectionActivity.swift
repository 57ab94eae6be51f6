import ConclaveIdentity
import NIOCore
import Synchronization

/// When a connection last received anything at all: protocol frames, and also WebSocket
/// ping/pong and other control frames, which the WebSocket library answers without showing them.
/// Counting those as liveness means a generic client that keeps alive with WebSocket pings is not
/// reaped (reference gap G27).
///
/// It also holds the connection's budget of bytes before authentication: a peer that has not
/// proved a key may send only so much (a handshake needs a few hundred bytes), so unauthenticated
/// connections cannot make the server buffer large messages.
public final class ConnectionActivity: Sendable {
    /// Bytes a connection may send, from accept, before it authenticates: the HTTP upgrade
    /// request, a TLS handshake and the protocol handshake together need a few KiB.
    public static let unauthenticatedByteBudget = 32 * 1024

    private let lastSeen: Atomic<Int64>
    /// Bytes received while unauthenticated; `-1` once authenticated (or for connections that
    /// are not counted at all).
    private let unauthenticatedBytes: Atomic<Int>

    /// Releases the connection's admission slot, once.
    private let release: (@Sendable () -> Void)?
    private let released = Atomic<Bool>(false)

    /// Starts the clock at `now`; `release` is called once, when the peer authenticates or the
    /// connection ends, whichever comes first.
    public init(now: ContinuousClock.Instant = .now, countsUnauthenticatedBytes: Bool = false, release: (@Sendable () -> Void)? = nil) {
        lastSeen = Atomic(Self.milliseconds(now))
        unauthenticatedBytes = Atomic(countsUnauthenticatedBytes ? 0 : -1)
        self.release = release
    }

    /// Gives back the admission slot (idempotent).
    func releaseAdmission() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        release?()
    }

    /// Records activity at `now`.
    public func touch(now: ContinuousClock.Instant = .now) {
        lastSeen.store(Self.milliseconds(now), ordering: .relaxed)
    }

    /// The peer authenticated: its bytes are no longer counted against the budget.
    public func markAuthenticated() {
        unauthenticatedBytes.store(-1, ordering: .relaxed)
        releaseAdmission()
    }

    /// Counts `count` received bytes; `false` when an unauthenticated peer has now exceeded its
    /// budget and the connection must close.
    func admitBytes(_ count: Int) -> Bool {
        let before = unauthenticatedBytes.load(ordering: .relaxed)
        guard before >= 0 else { return true }
        let total = unauthenticatedBytes.add(count, ordering: .relaxed).newValue
        return total <= Self.unauthenticatedByteBudget
    }

    /// Time since the last inbound bytes, measured from `now`.
    public func idleTime(now: ContinuousClock.Instant) -> Duration {
        .milliseconds(Self.milliseconds(now) - lastSeen.load(ordering: .relaxed))
    }

    private static func milliseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        origin.duration(to: instant).wholeMilliseconds
    }

    private static let origin = ContinuousClock.now
}

/// Sits first in the pipeline and marks every inbound read as activity, then passes it on; an
/// unauthenticated peer past its byte budget is disconnected instead.
final class ActivityHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let activity: ConnectionActivity

    init(activity: ConnectionActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.touch()
        guard activity.admitBytes(unwrapInboundIn(data).readableBytes) else {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
