import ConclaveIdentity
import ConclaveTransport
@testable import ConclaveServer
import ConclaveProtocol
import Logging
import Synchronization
import Testing
import ConclaveStorage
import ConclaveSQLite

/// Behaviours that need a controlled clock or queue size, tested on the hub directly.
@Suite("Hub: reaping and slow consumers")
struct HubTests {
    func makeHub(queue: Int = 1024) throws -> Hub {
        var settings = HubSettings()
        settings.outboundQueueCapacity = queue
        return Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), settings: settings, logger: Logger(label: "test"))
    }

    func session(_ user: String, _ handle: String = "s", queue: Int = 1024, now: ContinuousClock.Instant = .now) -> ServerSession {
        ServerSession(path: SessionPath(user: user, machine: "m", session: handle), isAdmin: false, output: FrameQueue(capacity: queue), now: now)
    }

    /// The in-memory output a test session writes to.
    func queue(of session: ServerSession) throws -> FrameQueue {
        try #require(session.output as? FrameQueue)
    }

    @Test func silentSessionsAreReapedAndActiveOnesKept() async throws {
        let hub = try makeHub()
        let start = ContinuousClock.now
        let quiet = session("quiet", now: start)
        let chatty = session("chatty", now: start)
        await hub.attach(quiet)
        await hub.attach(chatty)
        chatty.touch(now: start + .seconds(50))
        #expect(await hub.reapIdleSessions(now: start + .seconds(100)) == 1)
        #expect(quiet.terminationReason == "idle timeout: no heartbeat")
        #expect(chatty.terminationReason == nil)
        #expect(await hub.livePaths == [chatty.path])
    }

    /// A session the hub ends is logged with its cause at the cause's level, never as an
    /// `unauthorized` error frame: an idle reap is routine, a slow consumer is a warning.
    @Test func terminationsAreLoggedByCauseNotAsUnauthorized() async throws {
        let captured = LogCapture()
        var logger = Logger(label: "conclave.test") { _ in captured }
        logger.logLevel = .trace
        var settings = HubSettings()
        settings.outboundQueueCapacity = 1
        let hub = Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), settings: settings, logger: logger)
        let start = ContinuousClock.now
        let quiet = session("quiet", queue: 1, now: start)
        await hub.attach(quiet)
        #expect(await hub.reapIdleSessions(now: start + .seconds(100)) == 1)
        let stuck = session("stuck", queue: 1, now: .now)
        await hub.attach(stuck)
        try queue(of: stuck).markStalled(since: .now - .seconds(60))
        #expect(await hub.dropStalledSessions().count == 1)
        let lines = captured.text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("info session terminated") && $0.contains("cause=idle") && $0.contains("path=quiet/m/s") })
        #expect(lines.contains { $0.hasPrefix("warning session terminated") && $0.contains("cause=slow_consumer") && $0.contains("path=stuck/m/s") })
        #expect(!captured.text.contains("unauthorized"), "\(captured.text)")
    }

    @Test func aWriteThatStaysPendingCutsTheSessionAndItsSocket() async throws {
        let hub = try makeHub()
        let start = ContinuousClock.now
        let stuck = session("stuck", now: start)
        let busy = session("busy", now: start)
        let idle = session("idle", now: start)
        for member in [stuck, busy, idle] { await hub.attach(member) }
        // The stuck socket refused bytes from the start; the busy one only for the last 2 s.
        try queue(of: stuck).markStalled(since: start)
        try queue(of: busy).markStalled(since: start + .seconds(9))
        let dropped = await hub.dropStalledSessions(now: start + .seconds(11))
        #expect(dropped.map(\.path) == [stuck.path])
        #expect(stuck.terminationReason == "slow consumer: outbound queue overflowed")
        #expect(busy.terminationReason == nil && idle.terminationReason == nil)
        for session in dropped { session.closeConnection() }
        #expect(try queue(of: stuck).wasAborted)
        #expect(try !queue(of: busy).wasAborted)
    }

    @Test func aRecipientThatCannotKeepUpIsDroppedNotBuffered() async throws {
        let hub = try makeHub()
        let sender = session("sender")
        let slow = session("slow", queue: 1)
        let fine = session("fine")
        for member in [sender, slow, fine] { await hub.attach(member) }
        _ = await hub.handle(.admin(.createChannel(name: "ops", visibility: .public)), from: sender)
        for member in [sender, slow, fine] { _ = await hub.handle(.join(channel: "ops", token: nil), from: member) }
        for index in 0..<3 {
            let reply = await hub.handle(.channelMessage(channel: "ops", from: sender.path, payload: .plain("m\(index)")), from: sender)
            #expect(reply == .ack(detail: nil))
        }
        #expect(slow.terminationReason == "slow consumer: outbound queue overflowed")
        #expect(fine.terminationReason == nil)
        #expect(await hub.livePaths.contains(slow.path) == false)
    }

    @Test func pingIsAnsweredWithPong() async throws {
        let hub = try makeHub()
        let member = session("a")
        await hub.attach(member)
        #expect(await hub.handle(.ping, from: member) == .pong)
        #expect(await hub.handle(.hello(protocolVersion: 1, session: "x"), from: member) == .error(.malformedFrame("unexpected frame from client")))
    }

    @Test func revokingYourOwnMachineWithAFullQueueEndsEverySessionAtOnce() async throws {
        let hub = try makeHub(queue: 2)
        let key = try SigningKey.generate()
        try await hub.register(username: "alice", machine: "m", key: key.publicKey)
        let requester = session("alice", "one", queue: 2)
        let sibling = session("alice", "two", queue: 2)
        await hub.attach(requester)
        await hub.attach(sibling)
        // The requester stopped reading: its queue is full.
        let requesterQueue = try queue(of: requester)
        #expect(requesterQueue.offer(EncodedFrame(ProtocolMessage.pong)))
        #expect(requesterQueue.offer(EncodedFrame(ProtocolMessage.pong)))
        let reply = await withTaskGroup(of: ProtocolMessage??.self) { group in
            group.addTask { await hub.handle(.admin(.machineRemove(name: "m")), from: requester) }
            group.addTask {
                try? await Task.sleep(for: .seconds(5))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            // If the hub is waiting for room, free it so the group can end and the test fail.
            if first == nil { requesterQueue.close(final: nil) }
            return first
        }
        guard case .some(nil) = reply else { Issue.record("the removal waited on the full queue"); return }
        #expect(sibling.terminationReason == "machine key revoked")
        #expect(requester.terminationReason == "machine key revoked")
        // The requester still gets its Ack, then the reason, after what was queued.
        let frames = await requesterQueue.nextBatch(limit: 10).compactMap { try? ProtocolMessage(wireBytes: Array($0.wireBytes.readableBytesView)) }
        #expect(frames == [.pong, .pong, .ack(detail: "m"), .error(.unauthorized("machine key revoked"))])
        #expect(await hub.livePaths.isEmpty)
    }
}
