@testable import ConclaveBridge
import ConclaveProtocol
import Synchronization
import Testing

/// The link's state machine on its own: what each event asks the core to do.
@Suite("Link lifecycle")
struct LinkLifecycleTests {
    let session = LinkLifecycle.Session(
        path: SessionPath(user: "alice", machine: "laptop", session: "s"), noticeSender: nil, receipts: true, trust: nil, endToEnd: nil)
    let connection = LinkConnection(send: { _ in }, restart: {})
    let start = ContinuousClock.now

    func drop(_ link: inout LinkLifecycle, _ reason: String = "closed", at offset: Duration) -> LinkLifecycle.DropOutcome {
        link.dropped(reason: reason, now: start + offset, stableAfter: .seconds(30), rapidDropLimit: 3)
    }

    @Test func aDropIsToldOnceAndTheReconnectionToo() {
        var link = LinkLifecycle()
        let outcome1 = link.connected(connection, as: session, now: start)
        #expect(outcome1 == .connected(reconnected: false))
        #expect(link.connection != nil && link.session?.receipts == true)
        let outcome12 = drop(&link, at: .seconds(60))
        #expect(outcome12 == .lost(reason: "closed", notice: .disconnected))
        #expect(link.connection == nil)
        // Still down: a failed attempt is not news.
        let outcome2 = link.attemptFailed(reason: "refused")
        #expect(outcome2 == false)
        let outcome3 = link.connected(connection, as: session, now: start + .seconds(61))
        #expect(outcome3 == .connected(reconnected: true))
        // The session is kept across the drop, for requests queued meanwhile.
        #expect(link.session?.path.session == "s")
    }

    @Test func whatTheServerSaidBeforeTheDropIsTheReason() {
        var link = LinkLifecycle()
        _ = link.connected(connection, as: session, now: start)
        link.serverSaid("unauthorized: session superseded")
        let outcome13 = drop(&link, "closed", at: .seconds(60))
        #expect(outcome13 == .lost(reason: "unauthorized: session superseded", notice: .disconnected))
        #expect(link.lastError == nil)
    }

    @Test func anUnreachableServerIsToldOnceUntilReached() {
        var link = LinkLifecycle()
        let outcome4 = link.attemptFailed(reason: "connection refused")
        #expect(outcome4)
        #expect(link.lastError == "connection refused")
        let outcome5 = link.attemptFailed(reason: "connection refused")
        #expect(!outcome5)
        // A connection that was never up ends without a notice.
        let outcome14 = drop(&link, "handshake failed", at: .seconds(1))
        #expect(outcome14 == .lost(reason: "connection refused", notice: .none))
        let outcome6 = link.connected(connection, as: session, now: start)
        #expect(outcome6 == .connected(reconnected: true))
    }

    @Test func youngDropsBecomeAHandleFightAndAStableLinkForgetsThem() {
        var link = LinkLifecycle()
        var now = Duration.zero
        var notices: [LinkLifecycle.DropNotice] = []
        for _ in 0..<3 {
            _ = link.connected(connection, as: session, now: start + now)
            now += .seconds(1)
            guard case let .lost(_, notice) = drop(&link, at: now) else { Issue.record("not lost"); return }
            notices.append(notice)
        }
        #expect(notices == [.disconnected, .disconnected, .handleFight])
        let outcome7 = link.reportFight()
        #expect(outcome7)
        let outcome8 = link.reportFight()
        #expect(!outcome8)
        link.handleAdvanced()
        _ = link.connected(connection, as: session, now: start + now)
        let outcome15 = drop(&link, at: now + .seconds(1))
        #expect(outcome15 == .lost(reason: "closed", notice: .disconnected))
        // Stable for 30 s: counts and the fight report start again.
        _ = link.connected(connection, as: session, now: start + now + .seconds(2))
        let outcome16 = drop(&link, at: now + .seconds(40))
        #expect(outcome16 == .lost(reason: "closed", notice: .disconnected))
        let outcome9 = link.reportFight()
        #expect(outcome9)
    }

    @Test func aServerGivenUpOnRefusesConnectionsAndIgnoresEvents() {
        var link = LinkLifecycle()
        let restarted = Mutex(0)
        let live = LinkConnection(send: { _ in }, restart: { restarted.withLock { $0 += 1 } })
        _ = link.connected(live, as: session, now: start)
        link.giveUp("refused this bridge")?.restart()
        #expect(restarted.withLock { $0 } == 1)
        #expect(link.failure == "refused this bridge" && link.connection == nil)
        let outcome10 = link.connected(connection, as: session, now: start)
        #expect(outcome10 == .refused)
        let outcome17 = drop(&link, at: .seconds(1))
        #expect(outcome17 == .ignored)
        let outcome11 = link.attemptFailed(reason: "x")
        #expect(!outcome11)
    }
}
