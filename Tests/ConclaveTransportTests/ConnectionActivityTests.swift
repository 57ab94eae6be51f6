import ConclaveIdentity
import ConclaveProtocol
@testable import ConclaveTransport
import Synchronization
import Testing

/// The server counts any inbound bytes, WebSocket pings included, as liveness (gap G27).
@Suite("Connection activity")
struct ConnectionActivityTests {
    @Test func aWebSocketPingRefreshesTheServersActivityClock() async throws {
        let box = CapturedActivity()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try FrameServer(
            configuration: .init(host: "127.0.0.1", port: 0, serverID: "id"),
            onRunning: { continuation.yield($0) },
            handler: { connection in
                box.store(connection.activity)
                var frames = connection.inbound.makeAsyncIterator()
                while (try? await frames.next()) != nil {}
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            try await FrameLink.connect(to: try ServerURL("ws://127.0.0.1:\(port)/")) { connection in
                let activity = try await box.wait()
                try await Task.sleep(for: .milliseconds(1500))
                #expect(activity.idleTime(now: .now) >= .seconds(1))
                try await connection.outbound.sendWebSocketPing()
                // Generous bound: only the ping can have refreshed it.
                var refreshed = false
                for _ in 0..<200 where !refreshed {
                    refreshed = activity.idleTime(now: .now) < .seconds(1)
                    if !refreshed { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(refreshed)
                await connection.outbound.close()
            }
            group.cancelAll()
        }
    }
}

/// Hands the server-side activity object to the test.
final class CapturedActivity: Sendable {
    private let value = Mutex<ConnectionActivity?>(nil)

    func store(_ activity: ConnectionActivity) { value.withLock { $0 = activity } }

    func wait() async throws -> ConnectionActivity {
        for _ in 0..<200 {
            if let activity = value.withLock({ $0 }) { return activity }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw CancellationError()
    }
}

@Suite("Unauthenticated byte budget")
struct UnauthenticatedBudgetTests {
    final class Releases: Sendable {
        let count = Mutex(0)
    }

    @Test func bytesCountFromAcceptUntilAuthenticationAndTheSlotIsReleasedOnce() {
        let releases = Releases()
        #expect(ConnectionActivity().admitBytes(1 << 24), "a session's own activity clock counts nothing")
        let activity = ConnectionActivity(countsUnauthenticatedBytes: true, release: { releases.count.withLock { $0 += 1 } })
        #expect(activity.admitBytes(ConnectionActivity.unauthenticatedByteBudget - 100))
        #expect(activity.admitBytes(100))
        #expect(!activity.admitBytes(1), "one byte over the budget closes the connection")
        let fresh = ConnectionActivity(countsUnauthenticatedBytes: true, release: { releases.count.withLock { $0 += 1 } })
        fresh.markAuthenticated()
        #expect(fresh.admitBytes(1 << 24), "an authenticated peer is not counted")
        fresh.releaseAdmission()
        activity.releaseAdmission()
        activity.releaseAdmission()
        #expect(releases.count.withLock { $0 } == 2)
    }
}
