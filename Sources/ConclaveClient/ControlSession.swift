public import ConclaveTransport
public import ConclaveProtocol

/// An authenticated connection used for request/reply exchanges, inside
/// ``ControlClient/withSession(registration:_:)``.
///
/// Replies are matched by order, as in the reference. While waiting for a reply, `ServerInfo`
/// and `Pong` are skipped, pushes (`ChannelMsg`, `Whisper` and their tagged forms) are kept for
/// ``next()`` (a streaming user that makes a request loses none of them), and `ReceiptUpdate`s
/// are kept for ``takeReceiptUpdates()``.
public struct ControlSession {
    /// The path the server assigned to this session.
    public let path: SessionPath
    /// The sender this server reserves for its notices, if it declared one at the upgrade.
    public var noticeSender: SessionPath? { connection.noticeSender }
    /// The protocol extensions agreed at the upgrade.
    public var extensions: Set<ProtocolExtension> { connection.extensions }
    /// The server's instance ID (`x-conclave-server-id`), when it sent one: what message
    /// signatures are bound to.
    public var serverID: String? { connection.serverID }
    let connection: FrameConnection
    var frames: FrameInbound.AsyncIterator
    let watchdog: Watchdog
    let replyTimeout: Duration
    /// Receipt updates that arrived while waiting for replies.
    var receiptUpdates: [(id: UInt64, record: ReceiptRecord)] = []
    /// Pushes that arrived while waiting for a reply, for ``next()``, oldest first.
    var pushes: [ProtocolMessage] = []
    /// How many of ``pushes``, from the front, were already handed out (an index instead of
    /// removing from the front, which would copy the rest each time).
    var pushesTaken = 0
    /// Most pushes kept while a request waits; beyond it the oldest are dropped (a reply that
    /// takes this long has its own timeout).
    static let pushLimit = 10_000

    /// Sends `frame` and waits for its reply; a server `Error` is returned, not thrown.
    public mutating func request(_ frame: ProtocolMessage) async throws -> ProtocolMessage {
        try await connection.outbound.send(frame)
        watchdog.arm(replyTimeout, phase: "a reply to \(frame.name)")
        defer { watchdog.disarm() }
        while true {
            let frame = try await nextFromServer()
            switch InboundRole(frame) {
            case .status:
                continue
            case .push:
                if pushesTaken > 0 {
                    pushes.removeFirst(pushesTaken)
                    pushesTaken = 0
                }
                if pushes.count >= Self.pushLimit { pushes.removeFirst(pushes.count - Self.pushLimit + 1) }
                pushes.append(frame)
            case let .receiptUpdate(id, record):
                if receiptUpdates.count < 10_000 { receiptUpdates.append((id, record)) }
            case .reply:
                return frame
            }
        }
    }

    /// The receipt updates that arrived while waiting for replies, oldest first; they are
    /// forgotten here.
    public mutating func takeReceiptUpdates() -> [(id: UInt64, record: ReceiptRecord)] {
        defer { receiptUpdates = [] }
        return receiptUpdates
    }

    /// Sends a frame without waiting for anything.
    public func send(_ frame: ProtocolMessage) async throws {
        try await connection.outbound.send(frame)
    }

    /// The connection's sending side, for a concurrent task such as a keepalive pinger.
    public var outbound: FrameOutbound { connection.outbound }

    /// The next frame, or a ``TransportError/timedOut(url:phase:seconds:)`` when nothing at all
    /// arrives within `timeout` (the connection is closed then). Streaming clients use this with a
    /// keepalive `Ping` to notice a half-open connection.
    public mutating func next(within timeout: Duration, waitingFor phase: String) async throws -> ProtocolMessage {
        watchdog.arm(timeout, phase: phase)
        defer { watchdog.disarm() }
        return try await next()
    }

    /// The next frame from the server, whatever it is (for streaming uses such as `tail`): first
    /// the pushes that arrived while a request waited for its reply.
    public mutating func next() async throws -> ProtocolMessage {
        if pushesTaken < pushes.count {
            defer {
                pushesTaken += 1
                if pushesTaken == pushes.count {
                    pushes.removeAll(keepingCapacity: true)
                    pushesTaken = 0
                }
            }
            return pushes[pushesTaken]
        }
        return try await nextFromServer()
    }

    private mutating func nextFromServer() async throws -> ProtocolMessage {
        let frame: InboundFrame?
        do {
            frame = try await frames.next()
        } catch {
            throw watchdog.firedError ?? TransportError.connectFailed(url: connection.url.normalized, reason: "\(error)")
        }
        switch frame {
        case let .message(message)?:
            return message
        case let .undecodable(error)?:
            throw TransportError.malformedFrame(url: connection.url.normalized, error)
        case let .refused(index)?:
            throw TransportError.malformedFrame(url: connection.url.normalized, .unknownVariant(type: "ProtocolMessage", index: index, count: 0))
        case nil:
            throw watchdog.firedError ?? TransportError.closed(url: connection.url.normalized)
        }
    }
}
