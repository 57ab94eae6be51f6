/// Where a server session's frames go, in order.
///
/// ``SessionOutput`` is the real one, a bounded queue owned by the connection's event loop;
/// ``FrameQueue`` is an in-memory one that tests (and the fuzz target) read back. The hub and
/// the session loop see only this interface, so they run unchanged without sockets.
public protocol OutboundSink: AnyObject, Sendable {
    /// Queues a frame caused by another connection (a fan-out, a whisper) without waiting;
    /// `false` when the queue is full (the caller treats the recipient as a slow consumer) or
    /// closed.
    func offer(_ frame: EncodedFrame) -> Bool
    /// Offers `frame` as part of a fan-out: decided now (room is reserved, so a full queue is
    /// known at once), handed to the connection at the batch's ``DeliveryBatch/send()``.
    func offer(_ frame: EncodedFrame, into batch: inout DeliveryBatch) -> Bool
    /// Queues one of the connection's own replies, waiting for room, so only a peer that does
    /// not read is slowed; `false` once the sink is closed.
    func enqueue(_ frame: EncodedFrame) async -> Bool
    /// Appends `finals` regardless of capacity and closes: what is queued is written, then the
    /// finals, then the connection ends as `ending` says. Never waits. The first call wins.
    func close(finals: [EncodedFrame], ending: ConnectionEnding)
    /// Whether ``close(finals:ending:)`` was called (or the connection is gone).
    var isClosed: Bool { get }
    /// Cuts the connection at once, without a closing handshake (a peer that stopped reading).
    func abort()
    /// Since when the connection has refused more bytes (its peer is not reading); `nil` while
    /// it takes them.
    var stalledSince: ContinuousClock.Instant? { get }
    /// Frames waiting to be written (sampled for metrics; may be stale as soon as it is read).
    var queuedFrames: Int { get }
}

/// How a server connection ends once its last frames are written.
public enum ConnectionEnding: Sendable, Hashable {
    /// WebSocket close, status 1000.
    case normal
    /// WebSocket close, status 1001 with a reason: the server is going away, reconnect.
    case goingAway(String)
    /// The peer closed first: its close was already answered, nothing more is sent.
    case peerClosed
}
