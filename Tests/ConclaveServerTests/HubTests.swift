@testable import ConclaveServer
import ConclaveProtocol
import Logging
import Testing

/// Behaviours that need a controlled clock or queue size, tested on the hub directly.
@Suite("Hub: reaping and slow consumers")
struct HubTests {
    func makeHub(queue: Int = 1024) throws -> Hub {
        var settings = HubSettings()
        settings.outboundQueueCapacity = queue
        return Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), settings: settings, logger: Logger(label: "test"))
    }

    func session(_ user: String, _ handle: String = "s", queue: Int = 1024, now: ContinuousClock.Instant = .now) -> ServerSession {
        ServerSession(path: SessionPath(user: user, machine: "m", session: handle), isAdmin: false, queueCapacity: queue, now: now)
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
}
