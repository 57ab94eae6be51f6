import NIOCore
import Synchronization

/// A session's bounded queue of encoded frames, drained by its writer.
///
/// Two ways in, matching who caused the frame:
/// - ``offer(_:)`` for deliveries caused by other sessions (fan-out, whispers): never waits;
///   `false` when full, and the caller treats the recipient as a slow consumer;
/// - ``enqueue(_:)`` for the session's own replies: waits for room, which slows only the session
///   that is not reading (reference gap G10: replies were silently dropped).
/// ``close(final:)`` appends a last frame regardless of capacity and ends the queue once drained.
final class OutboundQueue: Sendable {
    private struct State {
        var frames: [ByteBuffer] = []
        var head = 0
        var closed = false
        var reader: CheckedContinuation<ByteBuffer?, Never>?
        var spaceWaiters: [CheckedContinuation<Bool, Never>] = []

        var count: Int { frames.count - head }

        mutating func popFirst() -> ByteBuffer? {
            guard head < frames.count else { return nil }
            let frame = frames[head]
            head += 1
            if head == frames.count {
                frames.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 256, head * 2 > frames.count {
                frames.removeFirst(head)
                head = 0
            }
            return frame
        }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds a frame if there is room; never waits.
    func offer(_ frame: ByteBuffer) -> Bool {
        let reader = state.withLock { state -> CheckedContinuation<ByteBuffer?, Never>?? in
            guard !state.closed, state.count < capacity else { return nil }
            if let reader = state.reader {
                state.reader = nil
                return .some(reader)
            }
            state.frames.append(frame)
            return .some(nil)
        }
        guard let reader else { return false }
        reader?.resume(returning: frame)
        return true
    }

    /// Adds a frame, waiting for room; `false` if the queue closed meanwhile.
    func enqueue(_ frame: ByteBuffer) async -> Bool {
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
    func close(final: ByteBuffer?) {
        let (reader, waiters) = state.withLock { state -> (CheckedContinuation<ByteBuffer?, Never>?, [CheckedContinuation<Bool, Never>]) in
            guard !state.closed else { return (nil, []) }
            state.closed = true
            let waiters = state.spaceWaiters
            state.spaceWaiters = []
            if let reader = state.reader {
                state.reader = nil
                return (reader, waiters)
            }
            if let final { state.frames.append(final) }
            return (nil, waiters)
        }
        reader?.resume(returning: final)
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// Whether ``close(final:)`` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// The next frame for the writer; `nil` once closed and drained, or when the task is cancelled.
    func next() async -> ByteBuffer? {
        let (immediate, freed) = state.withLock { state -> (ByteBuffer??, [CheckedContinuation<Bool, Never>]) in
            if let frame = state.popFirst() {
                let freed = state.spaceWaiters
                state.spaceWaiters = []
                return (.some(frame), freed)
            }
            return (state.closed ? .some(nil) : nil, [])
        }
        for waiter in freed { waiter.resume(returning: true) }
        if let immediate { return immediate }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> ByteBuffer?? in
                    if let frame = state.popFirst() { return .some(frame) }
                    if state.closed || Task.isCancelled { return .some(nil) }
                    state.reader = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let reader = state.withLock { state -> CheckedContinuation<ByteBuffer?, Never>? in
                defer { state.reader = nil }
                return state.reader
            }
            reader?.resume(returning: nil)
        }
    }
}
