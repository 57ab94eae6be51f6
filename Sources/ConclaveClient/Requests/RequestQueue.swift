public import ConclaveProtocol

/// What a request was sent for, as far as a ``RequestQueue`` needs to know.
public protocol QueuedRequestPurpose: Sendable {
    /// Whether the request outlives a dropped connection when it was not sent yet (a user's
    /// request waits for the next connection; a client's own bookkeeping is issued again then).
    var survivesReconnect: Bool { get }
}

/// The requests waiting on one connection, answered strictly one at a time: the client layer's
/// one request queue, sans-I/O (a caller sends what it returns and hands it the replies).
///
/// The wire protocol has no request ids, so the reference matched replies by position with many
/// requests in flight, and one unsolicited or lost reply shifted every later answer (reference
/// bridge gaps 5–7). Here only the head is ever on the wire: the next request is sent when the
/// head's reply arrived, a reply that comes when nothing is in flight is never taken as an
/// answer, and a head that times out should make the caller reconnect, so a late reply cannot
/// answer the next request. Requests that were never sent survive a reconnect when their purpose
/// says so; the one in flight fails. ``ControlSession/request(_:)`` keeps the same rule by
/// awaiting each reply before the next request.
public struct RequestQueue<Purpose: QueuedRequestPurpose>: Sendable {
    /// One request.
    public struct Entry: Sendable {
        /// Why it was sent.
        public let purpose: Purpose
        /// The frame.
        public let frame: ProtocolMessage
        /// Until the request is sent: when waiting for a connection gives up. After: when waiting
        /// for the reply gives up.
        public var deadline: ContinuousClock.Instant
        /// Whether it is on the wire.
        public var sent = false
        /// Its asker gave up: its reply is absorbed and nothing is answered.
        public var cancelled = false
    }

    /// The requests, the head first.
    public private(set) var entries: [Entry] = []

    /// An empty queue.
    public init() {}

    /// Whether nothing waits.
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether the head has been sent and awaits its reply.
    public var hasRequestInFlight: Bool { entries.first?.sent == true }

    /// Queues a request; `first` puts it after the one in flight, before everything that waits.
    public mutating func enqueue(_ purpose: Purpose, frame: ProtocolMessage, deadline: ContinuousClock.Instant, first: Bool = false) {
        let entry = Entry(purpose: purpose, frame: frame, deadline: deadline)
        if first {
            entries.insert(entry, at: hasRequestInFlight ? 1 : 0)
        } else {
            entries.append(entry)
        }
    }

    /// Marks the head as sent and returns its frame, when nothing is in flight.
    public mutating func frameToSend(replyDeadline: ContinuousClock.Instant) -> ProtocolMessage? {
        guard let head = entries.first, !head.sent else { return nil }
        entries[0].sent = true
        entries[0].deadline = replyDeadline
        return head.frame
    }

    /// Removes and returns the request in flight (its reply arrived).
    public mutating func completeHead() -> Entry? {
        guard hasRequestInFlight else { return nil }
        return entries.removeFirst()
    }

    /// The connection ended: the request in flight is removed and returned; unsent requests whose
    /// purpose does not survive a reconnect are dropped.
    public mutating func connectionLost() -> Entry? {
        let inFlight = hasRequestInFlight ? entries.removeFirst() : nil
        entries.removeAll { !$0.purpose.survivesReconnect }
        return inFlight
    }

    /// Removes every entry whose deadline passed.
    public mutating func removeExpired(now: ContinuousClock.Instant) -> [Entry] {
        let expired = entries.filter { $0.deadline <= now }
        entries.removeAll { $0.deadline <= now }
        return expired
    }

    /// Removes and returns everything.
    public mutating func removeAll() -> [Entry] {
        defer { entries.removeAll() }
        return entries
    }

    /// Cancels the first request whose purpose matches: one in flight is marked (its reply will
    /// be absorbed), one waiting is removed. Returns whether one was found.
    public mutating func cancel(where matches: (Purpose) -> Bool) -> Bool {
        guard let index = entries.firstIndex(where: { matches($0.purpose) }) else { return false }
        if entries[index].sent {
            entries[index].cancelled = true
        } else {
            entries.remove(at: index)
        }
        return true
    }
}
