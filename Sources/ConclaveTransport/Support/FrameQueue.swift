import Synchronization

/// A bounded queue of encoded frames, drained by one reader: the in-memory ``OutboundSink``.
///
/// Tests give it to a server session in place of a connection's ``SessionOutput`` and read back
/// what the session was sent (``nextBatch(limit:)``); the benchmark's same-stack floor uses it
/// too.
///
/// Two ways in, matching who caused the frame:
/// - ``offer(_:)`` for deliveries caused by other connections (fan-out, whispers): never waits;
///   `false` when full, and the caller treats the recipient as a slow consumer;
/// - ``enqueue(_:)`` for the connection's own replies: waits for room, which slows only the peer
///   that is not reading (reference gap G10: replies were silently dropped).
/// ``close(final:)`` appends a last frame regardless of capacity and ends the queue once drained.
///
/// The reader takes everything queued at once (``nextBatch(limit:)``).
public final class FrameQueue: OutboundSink {
    private struct State {
        var frames: [EncodedFrame] = []
        var head = 0
        var closed = false
        var ending: ConnectionEnding?
        var aborted = false
        var stalledSince: ContinuousClock.Instant?
        var reader: CheckedContinuation<[EncodedFrame], Never>?
        var spaceWaiters: [CheckedContinuation<Bool, Never>] = []

        var count: Int { frames.count - head }

        /// Up to `limit` frames from the front, oldest first; empty when nothing is queued.
        mutating func popFront(limit: Int) -> [EncodedFrame] {
            guard head < frames.count else { return [] }
            let end = min(frames.count, head + limit)
            let batch = Array(frames[head..<end])
            head = end
            if head == frames.count {
                frames.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 256, head * 2 > frames.count {
                frames.removeFirst(head)
                head = 0
            }
            return batch
        }
    }

    /// How many frames fit before ``offer(_:)`` refuses and ``enqueue(_:)`` waits.
    public let capacity: Int
    private let state = Mutex(State())

    /// Creates an empty queue holding at most `capacity` frames.
    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds a frame if there is room; never waits.
    public func offer(_ frame: EncodedFrame) -> Bool {
        let reader = state.withLock { state -> CheckedContinuation<[EncodedFrame], Never>?? in
            guard !state.closed, state.count < capacity else { return nil }
            if let reader = state.reader {
                state.reader = nil
                return .some(reader)
            }
            state.frames.append(frame)
            return .some(nil)
        }
        guard let reader else { return false }
        reader?.resume(returning: [frame])
        return true
    }

    /// Adds a frame, waiting for room; `false` if the queue closed meanwhile.
    public func enqueue(_ frame: EncodedFrame) async -> Bool {
        while true {
            if offer(frame) { return true }
            let open = await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool? in
                    if state.closed { return false }
                    if state.count < capacity { return true }
                    state.spaceWaiters.append(continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
            if !open { return false }
        }
    }

    /// Appends `final` (if any) and closes: the writer drains what is queued, then stops.
    public func close(final: EncodedFrame?) {
        close(finals: final.map { [$0] } ?? [])
    }

    public func close(finals: [EncodedFrame], ending: ConnectionEnding) {
        state.withLock { state in
            if !state.closed { state.ending = ending }
        }
        close(finals: finals)
    }

    /// How the connection was to end (``close(finals:ending:)``), once closed that way.
    public var ending: ConnectionEnding? { state.withLock { $0.ending } }

    public func abort() {
        state.withLock { $0.aborted = true }
        close(finals: [])
    }

    /// Whether ``abort()`` was called.
    public var wasAborted: Bool { state.withLock { $0.aborted } }

    public var stalledSince: ContinuousClock.Instant? { state.withLock { $0.stalledSince } }
    public var queuedFrames: Int { state.withLock { $0.count } }

    /// Records that the (imaginary) socket stopped taking bytes at `instant`, or took them again
    /// (`nil`): for tests of the server's stalled-writer reaper.
    public func markStalled(since instant: ContinuousClock.Instant?) {
        state.withLock { $0.stalledSince = instant }
    }

    /// Appends `finals` in order regardless of capacity and closes: the writer drains what is
    /// queued, then the finals, then stops. Never waits, so an actor may end a session whose peer
    /// stopped reading without being held up by it.
    public func close(finals: [EncodedFrame]) {
        let (reader, waiters) = state.withLock { state -> (CheckedContinuation<[EncodedFrame], Never>?, [CheckedContinuation<Bool, Never>]) in
            guard !state.closed else { return (nil, []) }
            state.closed = true
            let waiters = state.spaceWaiters
            state.spaceWaiters = []
            if let reader = state.reader {
                state.reader = nil
                return (reader, waiters)
            }
            state.frames.append(contentsOf: finals)
            return (nil, waiters)
        }
        reader?.resume(returning: finals)
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// How many writers wait for room, and whether the reader waits for a frame (for tests that
    /// must act only once a wait has begun).
    var waiting: (writers: Int, reader: Bool) {
        state.withLock { ($0.spaceWaiters.count, $0.reader != nil) }
    }

    /// Whether ``close(final:)`` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The frames queued for the writer, oldest first and at most `limit` of them, waiting until
    /// there is at least one; empty once closed and drained, or when the task is cancelled.
    public func nextBatch(limit: Int = 128) async -> [EncodedFrame] {
        precondition(limit > 0, "a batch holds at least one frame")
        let available = takeAvailable(limit: limit)
        // Closed-and-empty is decided below, under the same lock as the last look at the queue.
        if !available.isEmpty { return available }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let (ready, freed) = state.withLock { state -> ([EncodedFrame]?, [CheckedContinuation<Bool, Never>]) in
                    let batch = state.popFront(limit: limit)
                    if !batch.isEmpty {
                        defer { state.spaceWaiters = [] }
                        return (batch, state.spaceWaiters)
                    }
                    if state.closed || Task.isCancelled { return ([], []) }
                    state.reader = continuation
                    return (nil, [])
                }
                for waiter in freed { waiter.resume(returning: true) }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let reader = state.withLock { state -> CheckedContinuation<[EncodedFrame], Never>? in
                defer { state.reader = nil }
                return state.reader
            }
            reader?.resume(returning: [])
        }
    }

    /// The frames queued now, oldest first and at most `limit` of them, without waiting (empty
    /// when nothing is queued).
    public func takeAvailable(limit: Int = 128) -> [EncodedFrame] {
        let (batch, freed) = state.withLock { state -> ([EncodedFrame], [CheckedContinuation<Bool, Never>]) in
            let batch = state.popFront(limit: limit)
            guard !batch.isEmpty else { return ([], []) }
            defer { state.spaceWaiters = [] }
            return (batch, state.spaceWaiters)
        }
        for waiter in freed { waiter.resume(returning: true) }
        return batch
    }

    /// The next frame for the writer; `nil` once closed and drained, or when the task is cancelled.
    public func next() async -> EncodedFrame? {
        await nextBatch(limit: 1).first
    }
}
