import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Foundation
import GRDB
import Testing
import ConclaveStorage
import ConclaveSQLite

@Suite("Pipelined posts and group commit: an Ack means stored")
struct GroupCommitTests {
    /// Hundreds of posts at once are a flood by the default limits; these tests are about storage.
    static let unlimited: HubSettings = {
        var settings = HubSettings()
        settings.limits = .unlimited
        return settings
    }()

    @Test func pipelinedPostsAreAcknowledgedDeliveredAndStoredInOrder() async throws {
        let count = 300
        try await TestServer.with(settings: Self.unlimited) { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    // Everything at once, without waiting for a single reply.
                    for index in 0..<count {
                        try await alice.send(.channelMessage(channel: "ops", from: alice.path, payload: .plain("post \(index)")))
                    }
                    try await alice.send(.readSince(channel: "ops", sinceMs: 0))
                    for _ in 0..<count {
                        #expect(try await alice.next() == .ack(detail: nil))
                    }
                    // The read came after the posts, so it is answered after their Acks and sees them all.
                    guard case let .history("ops", messages) = try await alice.next() else {
                        Issue.record("expected History after the Acks"); return
                    }
                    #expect(messages.map(\.payload) == (0..<count).map { .plain("post \($0)") })
                    for index in 0..<count {
                        #expect(try await bob.next() == .channelMessage(channel: "ops", from: alice.path, payload: .plain("post \(index)")))
                    }
                }
            }
        }
    }

    @Test func postsFromManySessionsAtOnceAreAllStored() async throws {
        let sessions = 8
        let perSession = 40
        try await TestServer.with(settings: Self.unlimited) { server in
            let key = try newKey()
            try await server.peer(key: key, session: "owner", register: "team") { (owner) async throws in
                _ = try await owner.request(.admin(.createChannel(name: "ops", visibility: .public)))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for session in 0..<sessions {
                        group.addTask {
                            try await server.peer(key: key, session: "w\(session)") { (writer) async throws in
                                _ = try await writer.request(.join(channel: "ops", token: nil))
                                for index in 0..<perSession {
                                    try await writer.send(.channelMessage(channel: "ops", from: writer.path, payload: .plain("\(session).\(index)")))
                                }
                                // The other writers' posts arrive in between; only Acks are counted.
                                var acknowledged = 0
                                while acknowledged < perSession {
                                    switch try await writer.next() {
                                    case .ack(nil): acknowledged += 1
                                    case .channelMessage: continue
                                    case let other: Issue.record("unexpected \(other)"); return
                                    }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // A fresh session reads history, so no live delivery comes between request and reply.
                let stored = try await server.peer(key: key, session: "auditor") { (auditor) async throws -> [String] in
                    _ = try await auditor.request(.join(channel: "ops", token: nil))
                    var stored: [String] = []
                    var since: Int64 = 0
                    while case let .history(_, page) = try await auditor.request(.readSince(channel: "ops", sinceMs: since)), !page.isEmpty {
                        stored += page.compactMap { if case let .plain(text) = $0.payload { text } else { nil } }
                        since = page.last?.tsMs ?? since
                    }
                    return stored
                }
                #expect(stored.count == sessions * perSession)
                // Each session's posts are stored in the order it sent them.
                for session in 0..<sessions {
                    let own = stored.filter { $0.hasPrefix("\(session).") }
                    #expect(own == (0..<perSession).map { "\(session).\($0)" })
                }
            }
        }
    }

    @Test func aPostThatCannotBeStoredIsRefusedAndNotDelivered() async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    #expect(try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("kept"))) == .ack(detail: nil))
                    #expect(try await bob.next() == .channelMessage(channel: "ops", from: alice.path, payload: .plain("kept")))

                    // Every history insert now fails, as it would on a full disk.
                    let outside = try DatabaseQueue(path: directory + "/conclave.sqlite")
                    try await outside.write { db in
                        try db.execute(sql: "CREATE TRIGGER refuse_posts BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk is full'); END")
                    }
                    let refused = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("lost")))
                    #expect(refused == .error(.internal("storage failure")))
                    try await bob.expectNothingPending()

                    // Once storage recovers, posting works again.
                    try await outside.write { db in try db.execute(sql: "DROP TRIGGER refuse_posts") }
                    #expect(try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("again"))) == .ack(detail: nil))
                    #expect(try await bob.next() == .channelMessage(channel: "ops", from: alice.path, payload: .plain("again")))
                }
            }
        }
    }
}

extension GroupCommitTests {
    /// The retention sweep runs when the service starts (then hourly): history older than the
    /// retention period is gone after a restart, newer history stays.
    @Test func theRetentionSweepRunsAtStart() async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try newKey()
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            try await server.peer(key: key, register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                #expect(try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("recent"))) == .ack(detail: nil))
            }
        }
        // An eight-day-old copy, written while the server is down.
        let outside = try DatabaseQueue(path: directory + "/conclave.sqlite")
        let eightDaysAgo = Int64(Date().timeIntervalSince1970 * 1000) - 8 * 86_400_000
        try await outside.write { db in
            try db.execute(
                sql: "INSERT INTO messages (channel_id, sender, payload, ts_ms) SELECT channel_id, sender, payload, ? FROM messages LIMIT 1",
                arguments: [eightDaysAgo])
        }
        try await outside.close()
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            try await server.peer(key: key) { (alice) async throws in
                _ = try await alice.request(.join(channel: "ops", token: nil))
                guard case let .history(_, messages) = try await alice.request(.readSince(channel: "ops", sinceMs: 0)) else {
                    Issue.record("expected history"); return
                }
                #expect(messages.count == 1)
                #expect(messages.first.map { $0.tsMs > eightDaysAgo } == true)
            }
        }
    }
}
