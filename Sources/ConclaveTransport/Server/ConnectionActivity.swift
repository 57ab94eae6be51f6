import NIOCore
import Synchronization

/// When a connection last received anything at all: protocol frames, and also WebSocket
/// ping/pong and other control frames, which the WebSocket library answers without showing them.
/// Counting those as liveness means a generic client that keeps alive with WebSocket pings is not
/// reaped (reference gap G27).
public final class ConnectionActivity: Sendable {
    private let lastSeen: Atomic<Int64>

    /// Starts the clock at `now`.
    public init(now: ContinuousClock.Instant = .now) {
        lastSeen = Atomic(Self.milliseconds(now))
    }

    /// Records activity at `now`.
    public func touch(now: ContinuousClock.Instant = .now) {
        lastSeen.store(Self.milliseconds(now), ordering: .relaxed)
    }

    /// Time since the last inbound bytes, measured from `now`.
    public func idleTime(now: ContinuousClock.Instant) -> Duration {
        .milliseconds(Self.milliseconds(now) - lastSeen.load(ordering: .relaxed))
    }

    private static func milliseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let components = origin.duration(to: instant).components
        return components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    private static let origin = ContinuousClock.now
}

/// Sits first in the pipeline and marks every inbound read as activity, then passes it on.
final class ActivityHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    let activity: ConnectionActivity

    init(activity: ConnectionActivity) {
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.touch()
        context.fireChannelRead(data)
    }
}
