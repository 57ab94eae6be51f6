public import NIOCore

/// Frames for many connections, handed to their event loops together.
///
/// A fan-out offers each recipient's frame here instead of to the connection directly: room is
/// still reserved at once (so a full queue is known to the caller), but nothing reaches an event
/// loop until ``send()``, which posts each loop's share in one go. A commit of many posts to a
/// busy channel then costs one hop per loop, and each connection writes all of its frames from
/// that commit with one flush.
public struct DeliveryBatch: ~Copyable {
    private var byInbox: [ObjectIdentifier: (LoopInbox, [(NIOLoopBound<SessionOutputHandler>, LoopInbox.Item)])] = [:]

    /// An empty batch.
    public init() {}

    /// Whether nothing is waiting to be sent.
    public var isEmpty: Bool { byInbox.isEmpty }

    mutating func append(_ message: ByteBuffer, for output: SessionOutput) {
        let key = ObjectIdentifier(output.inbox)
        if byInbox[key] == nil { byInbox[key] = (output.inbox, []) }
        byInbox[key]?.1.append((output.handler, .frame(message)))
    }

    /// Hands every frame to its connection's event loop (one hop per loop) and empties the batch.
    public mutating func send() {
        for (inbox, items) in byInbox.values { inbox.post(contentsOf: items) }
        byInbox = [:]
    }

    deinit {
        // A batch dropped unsent would leave room reserved in its outputs for ever.
        for (inbox, items) in byInbox.values { inbox.post(contentsOf: items) }
    }
}

extension OutboundSink {
    /// Sinks without an event loop take the frame at once.
    public func offer(_ frame: EncodedFrame, into batch: inout DeliveryBatch) -> Bool {
        offer(frame)
    }
}

extension SessionOutput {
    public func offer(_ frame: EncodedFrame, into batch: inout DeliveryBatch) -> Bool {
        guard reserve() else { return false }
        batch.append(frame.message, for: self)
        return true
    }
}
