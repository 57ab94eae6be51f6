import ConclaveIdentity
public import ConclaveProtocol
public import NIOCore
import NIOWebSocket
import Synchronization

/// A server connection's outbound frames: a bounded queue owned by the connection's event loop.
///
/// Frames are handed to the loop through its ``LoopInbox``, so a fan-out to many connections on
/// one loop costs one hop for all of them, and each connection writes what it was given with one
/// flush. The handler (``SessionOutputHandler``) writes while the socket is writable and keeps
/// the rest; the count of frames not yet handed to the socket is kept here, so ``offer(_:)``
/// answers at once and a full queue is known to the caller, who treats it as a slow consumer.
/// While the socket stays unwritable (the peer reads slower than we write) ``stalledSince``
/// says since when; the server's reaper cuts such connections after its write timeout.
public final class SessionOutput: OutboundSink {
    /// How many frames may wait for the socket.
    public let capacity: Int
    private let queued = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let spaceWaiters = Mutex<[CheckedContinuation<Bool, Never>]>([])
    /// Milliseconds since ``origin`` when the socket became unwritable; 0 while writable.
    private let stalledAtMs = Atomic<Int64>(0)
    private static let origin = ContinuousClock.now
    let inbox: LoopInbox
    let handler: NIOLoopBound<SessionOutputHandler>

    init(capacity: Int, handler: SessionOutputHandler, eventLoop: any EventLoop) {
        self.capacity = max(1, capacity)
        inbox = LoopInbox.of(eventLoop)
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    public func offer(_ frame: EncodedFrame) -> Bool {
        guard reserve() else { return false }
        inbox.post(.frame(frame.message), to: handler)
        return true
    }

    public func enqueue(_ frame: EncodedFrame) async -> Bool {
        while true {
            if offer(frame) { return true }
            if closed.load(ordering: .acquiring) { return false }
            let open = await withCheckedContinuation { continuation in
                let resumeNow = spaceWaiters.withLock { waiters -> Bool? in
                    if closed.load(ordering: .acquiring) { return false }
                    if queued.load(ordering: .acquiring) < capacity { return true }
                    waiters.append(continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
            if !open { return false }
        }
    }

    public func close(finals: [EncodedFrame], ending: ConnectionEnding) {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        inbox.post(.close(finals.map(\.message), ending), to: handler)
        wakeWaiters(open: false)
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// The peer broke the WebSocket protocol (a message over the limit, a stray continuation): the
    /// connection closes with `code`, dropping what is queued. Posted through the inbox like any
    /// close, so whichever close comes first is the one the peer sees.
    func close(violating code: WebSocketErrorCode) {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        inbox.post(.violation(code), to: handler)
        wakeWaiters(open: false)
    }

    /// Cuts the connection at once, without a closing handshake: writes waiting on a peer that
    /// stopped reading are dropped.
    public func abort() {
        closed.store(true, ordering: .releasing)
        wakeWaiters(open: false)
        let handler = handler
        handler.eventLoop.execute { handler.value.abort() }
    }

    /// Since when the socket has refused more bytes (the peer is not reading); `nil` while it
    /// takes them.
    public var stalledSince: ContinuousClock.Instant? {
        let ms = stalledAtMs.load(ordering: .relaxed)
        return ms == 0 ? nil : Self.origin + .milliseconds(ms)
    }

    /// Frames waiting for the socket (for tests and metrics).
    public var queuedFrames: Int { queued.load(ordering: .relaxed) }

    /// Replies waiting for room (for tests that must act only once a wait has begun).
    var waitingReplies: Int { spaceWaiters.withLock { $0.count } }

    // MARK: Called by the handler, on the event loop

    /// `count` frames left the queue for the socket (or were dropped with the connection).
    func released(_ count: Int) {
        let remaining = queued.wrappingSubtract(count, ordering: .acquiringAndReleasing).newValue
        if remaining < capacity, spaceWaiters.withLock({ !$0.isEmpty }) { wakeWaiters(open: true) }
    }

    func markWritable(_ writable: Bool) {
        stalledAtMs.store(writable ? 0 : max(1, Self.milliseconds(.now)), ordering: .relaxed)
    }

    /// The connection is gone: nothing more is accepted.
    func connectionEnded() {
        closed.store(true, ordering: .releasing)
        wakeWaiters(open: false)
    }

    // MARK: Private

    /// Counts one more queued frame if there is room and the sink is open.
    func reserve() -> Bool {
        guard !closed.load(ordering: .acquiring) else { return false }
        var current = queued.load(ordering: .relaxed)
        while current < capacity {
            let (exchanged, original) = queued.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    private func wakeWaiters(open: Bool) {
        let waiters = spaceWaiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: open) }
    }

    private static func milliseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        origin.duration(to: instant).wholeMilliseconds
    }
}

extension SessionOutput {
    /// Encodes `message` and queues it, waiting for room; `false` once the connection is closed.
    /// (For scripted servers in tests; the server's own paths encode once and ``offer(_:)``.)
    @discardableResult
    public func send(_ message: ProtocolMessage) async -> Bool {
        await enqueue(EncodedFrame(message))
    }

    /// Writes what is queued, then closes the connection normally.
    public func close() {
        close(finals: [], ending: .normal)
    }
}
