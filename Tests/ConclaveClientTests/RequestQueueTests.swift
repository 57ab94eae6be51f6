import ConclaveClient
import ConclaveProtocol
import Testing

/// The client layer's request queue and reply rule: one request on the wire at a time, a reply
/// only ever answers the request in flight, and pushes are never taken for replies.
@Suite("Request queue and inbound roles")
struct RequestQueueTests {
    enum Purpose: QueuedRequestPurpose, Equatable {
        case user(Int)
        case own(String)

        var survivesReconnect: Bool {
            if case .user = self { return true }
            return false
        }
    }

    @Test func oneRequestIsOnTheWireAtATimeAndFirstGoesRightAfterIt() {
        var queue = RequestQueue<Purpose>()
        let later = ContinuousClock.now + .seconds(60)
        queue.enqueue(.user(1), frame: .listChannels, deadline: later)
        queue.enqueue(.user(2), frame: .listUsers, deadline: later)
        #expect(queue.frameToSend(replyDeadline: later) == .listChannels)
        #expect(queue.frameToSend(replyDeadline: later) == nil, "a second request went out before the first reply")
        queue.enqueue(.own("rejoin"), frame: .join(channel: "ops", token: nil), deadline: later, first: true)
        #expect(queue.entries.map(\.purpose) == [.user(1), .own("rejoin"), .user(2)])
        #expect(queue.completeHead()?.purpose == .user(1))
        #expect(queue.completeHead() == nil, "a reply with nothing in flight answered something")
        #expect(queue.frameToSend(replyDeadline: later) == .join(channel: "ops", token: nil))
    }

    @Test func aDroppedConnectionFailsTheRequestInFlightAndKeepsOnlyWhatSurvives() {
        var queue = RequestQueue<Purpose>()
        let later = ContinuousClock.now + .seconds(60)
        queue.enqueue(.user(1), frame: .listChannels, deadline: later)
        queue.enqueue(.own("probe"), frame: .listUsers, deadline: later)
        queue.enqueue(.user(2), frame: .listMachines, deadline: later)
        _ = queue.frameToSend(replyDeadline: later)
        #expect(queue.connectionLost()?.purpose == .user(1))
        #expect(queue.entries.map(\.purpose) == [.user(2)])
        // Cancelling: one waiting is removed; one in flight is marked, its reply absorbed.
        #expect(queue.cancel { $0 == .user(2) })
        #expect(queue.isEmpty)
        queue.enqueue(.user(3), frame: .ping, deadline: ContinuousClock.now - .seconds(1))
        _ = queue.frameToSend(replyDeadline: later)
        #expect(queue.cancel { $0 == .user(3) } && queue.entries.first?.cancelled == true)
        #expect(queue.removeExpired(now: .now).isEmpty, "sending moved the deadline to the reply's")
        queue.enqueue(.user(4), frame: .pong, deadline: ContinuousClock.now - .seconds(1))
        #expect(queue.removeExpired(now: .now).map(\.purpose) == [.user(4)])
    }

    @Test func pushesStatusAndReceiptNewsAreNeverReplies() {
        let path = SessionPath(user: "a", machine: "m", session: "s")
        guard case .push = InboundRole(.whisper(from: path, target: path, payload: .plain("x"))) else {
            Issue.record("a whisper is not a push")
            return
        }
        guard case .push = InboundRole(.channelMessage(channel: "ops", from: path, payload: .plain("x"))) else {
            Issue.record("a channel message is not a push")
            return
        }
        guard case .status = InboundRole(.serverInfo(admin: false)), case .status = InboundRole(.pong) else {
            Issue.record("status frames are not status")
            return
        }
        guard case .receiptUpdate = InboundRole(.receiptUpdate(id: 1, record: ReceiptRecord(recipient: path, state: .acked, atMs: 0, detail: nil))) else {
            Issue.record("a receipt update is not news")
            return
        }
        guard case .reply = InboundRole(.ack(detail: nil)), case .reply = InboundRole(.error(.notFound("x"))) else {
            Issue.record("replies are not replies")
            return
        }
    }
}
