import Synchronization

/// One session's posts that the hub admitted and that are not acknowledged yet, in order.
///
/// The session's reader pushes posts without waiting for their commits, so consecutive posts
/// share a transaction; the acknowledger pops them in order and queues each reply once its
/// commit is done. The reader waits for room (at most `depth` in flight), and for an empty
/// pipeline before any other request, so replies keep the order of requests, and whatever a
/// session does after posting (reading history, whispering) sees its posts stored and delivered.
final class PostPipeline: Sendable {
    private struct State {
        var posts: [PendingPost] = []
        var inFlight = 0
        var closed = false
        var acknowledger: CheckedContinuation<PendingPost?, Never>?
        var reader: (limit: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    /// Most posts in flight.
    let depth: Int
    private let state = Mutex(State())

    init(depth: Int) {
        self.depth = max(1, depth)
    }

    /// Adds an admitted post; the caller waited for room first.
    func push(_ post: PendingPost) {
        state.withLock { state -> CheckedContinuation<PendingPost?, Never>? in
            state.inFlight += 1
            if let acknowledger = state.acknowledger {
                state.acknowledger = nil
                return acknowledger
            }
            state.posts.append(post)
            return nil
        }?.resume(returning: post)
    }

    /// Whether no post is waiting for its acknowledgement.
    var isIdle: Bool { state.withLock { $0.inFlight == 0 } }

    /// Waits until at most `limit` posts are in flight: `depth - 1` for room, 0 for none.
    func waitUntil(inFlightAtMost limit: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.inFlight <= limit { return true }
                state.reader = (limit, continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Waits until there is room for one more post.
    func waitForRoom() async {
        await waitUntil(inFlightAtMost: depth - 1)
    }

    /// The oldest post to acknowledge; `nil` once closed and empty.
    func next() async -> PendingPost? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> PendingPost?? in
                if !state.posts.isEmpty { return .some(state.posts.removeFirst()) }
                if state.closed { return .some(nil) }
                state.acknowledger = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Records that the oldest post's reply is queued.
    func acknowledged() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.inFlight -= 1
            guard let reader = state.reader, state.inFlight <= reader.limit else { return nil }
            state.reader = nil
            return reader.continuation
        }?.resume()
    }

    /// No more posts: the acknowledger finishes what is in flight, then ``next()`` returns `nil`.
    func close() {
        state.withLock { state -> CheckedContinuation<PendingPost?, Never>? in
            state.closed = true
            defer { state.acknowledger = nil }
            return state.posts.isEmpty ? state.acknowledger : nil
        }?.resume(returning: nil)
    }
}
