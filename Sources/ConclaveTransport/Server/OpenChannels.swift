import NIOCore
import Synchronization

/// The connections a server accepted and that are still open, so that when the server stops,
/// none outlives it: an HTTP keep-alive connection, one still upgrading, or one upgraded after the
/// sessions stopped being taken.
final class OpenChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Tracks `channel` until it closes.
    func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Closes every connection still open.
    func closeAll() {
        let open = channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
    }

    /// How many are open (for tests).
    var count: Int { channels.withLock { $0.count } }
}
