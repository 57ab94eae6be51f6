@testable import ConclaveServer
import ConclaveProtocol
import ConclaveTransport
import Logging
import Testing
import ConclaveStorage
import ConclaveSQLite
import Foundation
import GRDB
import Synchronization

/// Paging at the hub, with a frozen clock that would make many messages share one millisecond
/// (gap G13): a channel's stamps strictly increase, so pages are exact and bounded.
@Suite("History pages never split a millisecond")
struct HistoryPagingTests {
    @Test func pagingByTimestampLosesNothing() async throws {
        let clock = ManualWallClock(start: 1_000)
        var settings = HubSettings()
        settings.historyPageLimit = 10
        let (hub, session, path) = try await Self.memberOfOps(settings: settings, clock: clock)
        // 7 messages at t=1000, 8 at t=1001, 25 at t=1002 (more than a page in one millisecond).
        var sent: [String] = []
        for (ms, count) in [(1_000, 7), (1_001, 8), (1_002, 25)] {
            clock.set(Int64(ms))
            for index in 0..<count {
                let body = "\(ms)-\(index)"
                sent.append(body)
                #expect(await hub.handle(.channelMessage(channel: "ops", from: path, payload: .plain(body)), from: session) == .ack(detail: nil))
            }
        }
        let (received, pages) = await Self.readAll(from: hub, as: session)
        #expect(received == sent)
        #expect(pages == [10, 10, 10, 10], "every page is full: no millisecond holds two messages of a channel")
    }

    @Test func legacyDataSharingOneMillisecondIsStillPagedWithinTheBounds() async throws {
        let file = NSTemporaryDirectory() + "conclave-legacy-" + UUID().uuidString + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        _ = try await SQLiteStore(path: file).createChannel(name: "ops", visibility: .public, creator: "alice", nowMs: 0)
        // Written by an earlier version, which did not keep a channel's stamps apart: 5,000
        // messages in one millisecond (the store itself no longer writes such rows).
        let path = SessionPath(user: "alice", machine: "m", session: "s")
        let payload = Payload.plain("x").wireBytes
        let legacy = try DatabaseQueue(path: file)
        try await legacy.write { db in
            for seq in 1...5_000 {
                try db.execute(
                    sql: "INSERT INTO messages (channel_id, sender, payload, ts_ms, seq) SELECT id, ?, ?, 1000, ? FROM channels WHERE name = 'ops'",
                    arguments: [path.description, Data(payload), seq])
            }
        }
        try legacy.close()
        let store = try SQLiteStore(path: file)
        var settings = HubSettings()
        settings.historyPageLimit = 10
        let hub = Hub(store: store, admins: AdminAllowlist(), settings: settings, logger: Logger(label: "test"), wallClock: { 5_000 })
        let session = ServerSession(path: path, isAdmin: false, output: FrameQueue(capacity: 64), now: .now)
        await hub.attach(session)
        _ = await hub.handle(.join(channel: "ops", token: nil), from: session)
        guard case let .history(_, messages)? = await hub.handle(.readSince(channel: "ops", sinceMs: 0), from: session) else {
            Issue.record("no history")
            return
        }
        #expect(messages.count == 10, "bounded by the page limit, not the millisecond")
    }

    @Test func stampsKeepIncreasingAcrossARestart() async throws {
        let store = try SQLiteStore.inMemory()
        let path = SessionPath(user: "alice", machine: "m", session: "s")
        for round in 0..<2 {
            let hub = Hub(store: store, admins: AdminAllowlist(), settings: HubSettings(), logger: Logger(label: "test"), wallClock: { 1_000 })
            try await hub.start()
            let session = ServerSession(path: path, isAdmin: false, output: FrameQueue(capacity: 64), now: .now)
            await hub.attach(session)
            if round == 0 { _ = await hub.handle(.admin(.createChannel(name: "ops", visibility: .public)), from: session) }
            _ = await hub.handle(.join(channel: "ops", token: nil), from: session)
            for _ in 0..<3 { _ = await hub.handle(.channelMessage(channel: "ops", from: path, payload: .plain("m")), from: session) }
        }
        let stamps = try await store.messages(in: "ops", after: 0, limit: 100).map(\.tsMs)
        #expect(stamps == Array(1_000...1_005))
    }
}

/// A settable wall clock for hub tests.
final class ManualWallClock: Sendable {
    private let value: Mutex<Int64>
    init(start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func set(_ ms: Int64) { value.withLock { $0 = ms } }
}


extension HistoryPagingTests {
    /// A hub on an in-memory store with `clock`, and a session that created and joined `ops`.
    static func memberOfOps(settings: HubSettings, clock: ManualWallClock) async throws -> (Hub, ServerSession, SessionPath) {
        let hub = Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), settings: settings, logger: Logger(label: "test"), wallClock: { clock.now })
        let path = SessionPath(user: "alice", machine: "m", session: "s")
        let session = ServerSession(path: path, isAdmin: false, output: FrameQueue(capacity: 64), now: .now)
        await hub.attach(session)
        _ = await hub.handle(.admin(.createChannel(name: "ops", visibility: .public)), from: session)
        _ = await hub.handle(.join(channel: "ops", token: nil), from: session)
        return (hub, session, path)
    }

    /// Every page of `ops`, paging by the last timestamp: the bodies in order, and each page's size.
    static func readAll(from hub: Hub, as session: ServerSession) async -> (bodies: [String], pages: [Int]) {
        var received: [String] = []
        var watermark: Int64 = 0
        var pages: [Int] = []
        while true {
            guard case let .history(_, messages)? = await hub.handle(.readSince(channel: "ops", sinceMs: watermark), from: session),
                  let last = messages.last else { break }
            pages.append(messages.count)
            received += messages.compactMap { if case let .plain(text) = $0.payload { text } else { nil } }
            watermark = last.tsMs
        }
        return (received, pages)
    }

    /// A page is also bounded by bytes (8 MiB in production; 2 KiB here): large bodies make
    /// shorter pages, and paging on still returns every message once.
    @Test func pagesStayWithinTheirByteBoundAndLoseNothing() async throws {
        let clock = ManualWallClock(start: 5_000)
        var settings = HubSettings()
        settings.historyPageLimit = 100
        settings.historyPageBytes = 2_048
        let (hub, session, path) = try await Self.memberOfOps(settings: settings, clock: clock)
        var sent: [String] = []
        for index in 0..<20 {
            let body = "\(index)-" + String(repeating: "x", count: 500)
            sent.append(body)
            #expect(await hub.handle(.channelMessage(channel: "ops", from: path, payload: .plain(body)), from: session) == .ack(detail: nil))
        }
        let (received, pages) = await Self.readAll(from: hub, as: session)
        #expect(received == sent)
        // About 530 bytes a message: at most 3 fit in 2 KiB.
        #expect(pages.allSatisfy { $0 <= 3 }, "\(pages)")
        #expect(pages.count >= 7)
    }
}
