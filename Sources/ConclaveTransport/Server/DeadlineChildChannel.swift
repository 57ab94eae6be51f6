import HummingbirdCore
import Logging
import NIOCore

/// Wraps a Hummingbird child channel so every accepted connection is admitted (or closed) at
/// once, counts its bytes and liveness from the first byte (``ActivityHandler``), and starts with
/// an ``UpgradeDeadline``.
struct DeadlineChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let deadline: TimeAmount
    let admission: (any ConnectionAdmission)?

    /// Why an accepted connection was closed at once (quiet: the admission logs summaries).
    struct NotAdmitted: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let deadline = deadline
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        var release: (@Sendable () -> Void)?
        if let admission {
            guard admission.admitConnection(address: address) else {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(NotAdmitted())
            }
            release = { admission.releaseConnection(address: address) }
        }
        // Counted from the first byte: an HTTP request that never ends is bounded too.
        let activity = ConnectionActivity(countsUnauthenticatedBytes: true, release: release)
        channel.closeFuture.whenComplete { _ in activity.releaseAdmission() }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ActivityHandler(activity: activity), position: .first)
            try channel.pipeline.syncOperations.addHandler(UpgradeDeadline(deadline: deadline))
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
