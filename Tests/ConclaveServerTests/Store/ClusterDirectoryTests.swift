import ConclaveIdentity
import ConclaveStorage
import ConclavePostgres
import ConclaveTesting
import Foundation
import Testing

/// The PostgreSQL cluster directory, seen from two instances of one database.
@Suite("Cluster directory (PostgreSQL)")
struct ClusterDirectoryTests {
    /// Two instances' directories on one fresh database.
    private func withTwoInstances(_ body: @Sendable (ClusterLink, ClusterLink, any ConclaveStore) async throws -> Void) async throws {
        let url = try await PostgresServer.shared().makeDatabase()
        try await StoreKind.withOpened(try PostgresBackend(url: url, environment: [:])) { first in
            try await StoreKind.withOpened(try PostgresBackend(url: url, environment: [:])) { second in
                let a = try #require(first.cluster)
                let b = try #require(second.cluster)
                #expect(a.nodeID != b.nodeID)
                try await a.directory.heartbeat()
                try await b.directory.heartbeat()
                try await body(a, b, first.store)
            }
        }
    }

    @Test func eachInstanceSeesTheOthersSessionsAndALateReleaseKeepsTheReplacement() async throws {
        try await withTwoInstances { a, b, store in
            _ = try await store.createChannel(name: "ops", visibility: .public, creator: "ann", nowMs: 0)
            #expect(try await a.directory.claim(DirectoryEntry(path: "ann/m/s", user: "ann", node: a.nodeID, token: 1)) == nil)
            try await a.directory.subscribe(path: "ann/m/s", token: 1, to: "ops")
            // Seen from b, not from a (a answers for its own sessions itself).
            #expect(try await b.directory.sessionPaths() == ["ann/m/s"])
            #expect(try await a.directory.sessionPaths().isEmpty)
            #expect(try await b.directory.subscriberPaths(of: "ops") == ["ann/m/s"])
            #expect(try await b.directory.sessionCount(of: "ann") == 1)
            #expect(try await b.directory.entry(at: "ann/m/s")?.node == a.nodeID)
            // The same path connects to b: a learns whom it replaced, subscriptions start afresh.
            let previous = try await b.directory.claim(DirectoryEntry(path: "ann/m/s", user: "ann", node: b.nodeID, token: 2))
            #expect(previous == DirectoryEntry(path: "ann/m/s", user: "ann", node: a.nodeID, token: 1))
            #expect(try await a.directory.subscriberPaths(of: "ops").isEmpty)
            // The superseded session's late release must not remove its replacement.
            try await a.directory.release(path: "ann/m/s", token: 1)
            #expect(try await a.directory.sessionPaths() == ["ann/m/s"])
            // A subscription with a stale token is not recorded.
            try await a.directory.subscribe(path: "ann/m/s", token: 1, to: "ops")
            #expect(try await a.directory.subscriberPaths(of: "ops").isEmpty)
            try await b.directory.subscribe(path: "ann/m/s", token: 2, to: "ops")
            #expect(try await a.directory.subscriberPaths(of: "ops") == ["ann/m/s"])
            try await b.directory.unsubscribe(path: "ann/m/s", from: "ops")
            #expect(try await a.directory.subscriberPaths(of: "ops").isEmpty)
            try await b.directory.release(path: "ann/m/s", token: 2)
            #expect(try await a.directory.sessionPaths().isEmpty)
        }
    }

    @Test func aSilentInstanceIsSweptWithItsSessionsAndNoticesWhenItBeatsAgain() async throws {
        try await withTwoInstances { a, b, _ in
            _ = try await a.directory.claim(DirectoryEntry(path: "ann/m/s", user: "ann", node: a.nodeID, token: 1))
            #expect(try await b.directory.sweepDeadNodes(silentFor: .seconds(5)).isEmpty)
            try await Task.sleep(for: .milliseconds(300))
            try await b.directory.heartbeat()
            #expect(try await b.directory.sweepDeadNodes(silentFor: .milliseconds(200)) == ["ann/m/s"])
            #expect(try await b.directory.sessionPaths().isEmpty)
            // Back from its silence, `a` learns it was forgotten (and announces its sessions again).
            #expect(try await a.directory.heartbeat())
            #expect(try await a.directory.heartbeat() == false)
            // A graceful stop removes the instance and its sessions at once.
            _ = try await b.directory.claim(DirectoryEntry(path: "bob/m/s", user: "bob", node: b.nodeID, token: 3))
            try await b.directory.leave()
            #expect(try await a.directory.sessionPaths().isEmpty)
        }
    }

    @Test func largeEventsTravelThroughTheSpillTable() async throws {
        try await withTwoInstances { a, b, _ in
            let (events, continuation) = AsyncStream<ClusterBusInput>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await b.bus.run { continuation.yield($0) } }
                var iterator = events.makeAsyncIterator()
                #expect(await iterator.next() == .resumed)
                let big = Data(repeating: 0x61, count: 20_000)
                try await a.bus.publish(.whisper(target: "b/m/s", from: "a/m/s", payload: big, receiptID: 7, signature: Data([1, 2, 3])))
                try await a.bus.publish(.unbanned(channel: "c", user: "u"))
                let published = EpochClock.nowMs()
                for expected in [
                    ClusterEvent.whisper(target: "b/m/s", from: "a/m/s", payload: big, receiptID: 7, signature: Data([1, 2, 3])),
                    .unbanned(channel: "c", user: "u"),
                ] {
                    guard case let .event(event, origin, sentMs)? = await iterator.next() else {
                        Issue.record("the bus ended")
                        return
                    }
                    #expect(event == expected && origin == a.nodeID)
                    // Stamped when published, for the receiver's bus lag.
                    #expect(sentMs.map { abs($0 - published) < 5_000 } == true, "sentMs \(String(describing: sentMs))")
                }
                group.cancelAll()
            }
        }
    }
}
