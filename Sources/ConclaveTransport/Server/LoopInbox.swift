import NIOCore
import NIOWebSocket
import Synchronization

/// Frames for the connections of one event loop, handed over in batches.
///
/// Whoever queues a frame (the hub's fan-out, a session's reply) appends it here; the first append
/// after a drain schedules one drain on the loop. The drain gives every connection its frames in
/// the order they were posted and then lets each write and flush once. A fan-out to many
/// connections therefore costs one hop per loop, not one per recipient (the `writeToAll` pattern
/// of SwiftNIO's chat server example), and bursts of fan-outs share hops and flushes too.
final class LoopInbox: Sendable {
    enum Item: Sendable {
        /// A ready-made WebSocket message.
        case frame(ByteBuffer)
        /// Last frames, then end the connection.
        case close([ByteBuffer], ConnectionEnding)
        /// The peer broke the WebSocket protocol: drop what is queued, close with this status.
        case violation(WebSocketErrorCode)
    }

    private struct Pending {
        var items: [(NIOLoopBound<SessionOutputHandler>, Item)] = []
        var scheduled = false
    }

    let eventLoop: any EventLoop
    private let pending = Mutex(Pending())

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The inbox of `eventLoop` (one per loop for the life of the process: loops are few and
    /// long-lived).
    static func of(_ eventLoop: any EventLoop) -> LoopInbox {
        let key = ObjectIdentifier(eventLoop)
        return inboxes.withLock { inboxes in
            if let inbox = inboxes[key] { return inbox }
            let inbox = LoopInbox(eventLoop: eventLoop)
            inboxes[key] = inbox
            return inbox
        }
    }

    private static let inboxes = Mutex<[ObjectIdentifier: LoopInbox]>([:])

    /// Queues `item` for `handler`'s connection.
    func post(_ item: Item, to handler: NIOLoopBound<SessionOutputHandler>) {
        let schedule = pending.withLock { pending -> Bool in
            pending.items.append((handler, item))
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    /// Queues several items at once (a ``DeliveryBatch``'s share for this loop).
    func post(contentsOf items: [(NIOLoopBound<SessionOutputHandler>, Item)]) {
        guard !items.isEmpty else { return }
        let schedule = pending.withLock { pending -> Bool in
            pending.items.append(contentsOf: items)
            guard !pending.scheduled else { return false }
            pending.scheduled = true
            return true
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    /// On the loop: hands out everything posted so far, then lets each connection write.
    private func drain() {
        let items = pending.withLock { pending in
            defer {
                pending.items = []
                pending.scheduled = false
            }
            return pending.items
        }
        var touched: [SessionOutputHandler] = []
        for (bound, item) in items {
            let handler = bound.value
            if handler.receive(item) { touched.append(handler) }
        }
        for handler in touched { handler.writePending() }
    }
}
