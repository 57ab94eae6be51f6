import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
@testable import ConclaveTransport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("Connections that never become WebSockets")
struct UpgradeDeadlineTests {
    /// A server with a short upgrade deadline whose connections echo every frame. Two seconds: short
    /// enough to test, long enough that a loaded test machine still upgrades within it.
    func withServer<T: Sendable>(_ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
        try await ScriptedServer.with(upgradeDeadline: .seconds(2), { connection in
            var frames = connection.inbound.makeAsyncIterator()
            while case let .message(message)? = try? await frames.next() {
                await connection.output.send(message)
            }
        }, { url in try await body(url.port) })
    }

    /// Connects a plain TCP socket that sends nothing and returns how long until the server
    /// closed it (nil: still open after `limit`), counted from before the connect, so a loaded
    /// machine's slow connect cannot make the server look early.
    static func silentConnectionLifetime(port: Int, limit: Duration) async throws -> Duration? {
        let group = MultiThreadedEventLoopGroup.singleton
        let started = ContinuousClock.now
        let closed = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
        // Stamped on the event loop when the close happens, so a busy test process that wakes
        // this poll late does not make the server look late.
        let closedAt = Mutex<ContinuousClock.Instant?>(nil)
        closed.closeFuture.whenComplete { _ in closedAt.withLock { $0 = .now } }
        let deadline = started + limit
        while ContinuousClock.now < deadline {
            if let at = closedAt.withLock({ $0 }) { return started.duration(to: at) }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await closed.close()
        return nil
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheDeadline() async throws {
        let lifetime = try await withServer { port in try await Self.silentConnectionLifetime(port: port, limit: .seconds(8)) }
        let closedAfter = try #require(lifetime, "the silent connection was still open after 8 s")
        #expect(closedAfter >= .milliseconds(1900))
        // Well before the 8 s the test waits, with room for a connect slowed by the rest of the
        // suite on two cores (one run saw 5.2 s); a missing deadline leaves it open past 8 s.
        #expect(closedAfter < .milliseconds(7500))
    }

    @Test func anUpgradedConnectionOutlivesTheDeadline() async throws {
        let reply = try await withServer { port in
            try await FrameLink.connect(to: try ServerURL("ws://127.0.0.1:\(port)/"), timeout: .seconds(5)) { connection in
                try await Task.sleep(for: .milliseconds(2600))
                try await connection.outbound.send(.ping)
                var frames = connection.inbound.makeAsyncIterator()
                return try await frames.next()
            }
        }
        guard case .message(.ping)? = reply else { Issue.record("expected the echo, got \(String(describing: reply))"); return }
    }
}
