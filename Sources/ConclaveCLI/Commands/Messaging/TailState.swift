import Synchronization

/// What `tail` keeps across reconnections: the feed, and whether a join ever succeeded.
final class TailState: Sendable {
    private struct Contents {
        var feed: TailFeed
        var joinedOnce = false
    }

    private let contents: Mutex<Contents>

    init(feed: TailFeed) {
        contents = Mutex(Contents(feed: feed))
    }

    /// Whether a connection ever joined the channel (failures before that are final).
    var joinedOnce: Bool { contents.withLock { $0.joinedOnce } }

    /// Records a successful join; returns whether it was the first, and where to replay from.
    func joined(nowMs: Int64) -> (first: Bool, replayFromMs: Int64?) {
        contents.withLock { contents in
            let first = !contents.joinedOnce
            contents.joinedOnce = true
            return (first, contents.feed.connected(nowMs: nowMs))
        }
    }

    /// Runs `body` on the feed.
    func withFeed<T>(_ body: (inout TailFeed) -> T) -> T {
        contents.withLock { body(&$0.feed) }
    }
}
