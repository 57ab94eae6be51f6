import Foundation
import Testing

/// The ways `tail` stops instead of reconnecting (CLI.md, "`tail` in detail"), each against a
/// real server: its channel deleted, renamed or closed to it by a ban, another connection taking
/// its session, its account removed (the reconnect is refused), and Ctrl-C while reconnecting.
@Suite("How tail stops (real server)")
struct TailStopTests {
    private func setUp() async throws -> (LiveServer, Identity, Identity) {
        let server = try await LiveServer.start(admins: ["alice"])
        let alice = Identity()
        let bob = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        try await bob.register("bob", machine: "lap", on: server)
        return (server, alice, bob)
    }

    private func tailing(_ identity: Identity, _ channel: String, as session: String) async throws -> BackgroundProcess {
        let tail = try identity.start(["tail", "--channel", channel, "--as", session])
        #expect(await tail.stderr.first(containing: "tailing #\(channel)") != nil, "\(tail.stderr.all)")
        return tail
    }

    @Test(arguments: [
        (["channel", "delete", "ops", "--yes"], "#ops"),
        (["channel", "rename", "ops", "ops2"], "#ops"),
        (["ban", "--channel", "ops", "bob"], "#ops"),
    ])
    func aChannelThatIsGoneOrClosedToItEndsTail(_ action: [String], _ named: String) async throws {
        let (server, alice, bob) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        let tail = try await tailing(bob, "ops", as: "watch")
        #expect(try await alice.run(action).status == 0)
        #expect(await tail.exitStatus(timeout: .seconds(20)) == 1, "\(tail.stderr.all)")
        #expect(tail.stderr.all.contains { $0.contains("❌") && $0.contains(named) }, "\(tail.stderr.all)")
        #expect(!tail.stderr.all.contains { $0.contains("reconnecting") })
    }

    @Test func anotherConnectionTakingTheSessionEndsTail() async throws {
        let (server, _, bob) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        #expect(try await bob.run(["channel", "create", "ops"]).status == 0)
        let tail = try await tailing(bob, "ops", as: "shared")
        let bridge = try BridgeProcess(bob, arguments: ["--as", "shared"])
        try await bridge.initialize()
        #expect(await tail.exitStatus(timeout: .seconds(20)) == 1)
        #expect(tail.stderr.all.contains { $0.contains("another connection took over session bob/lap/shared") }, "\(tail.stderr.all)")
        _ = bridge
    }

    @Test func aRefusedReconnectEndsTail() async throws {
        let (server, alice, bob) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        // alice's channel, so it outlives bob's account.
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        let tail = try await tailing(bob, "ops", as: "watch")
        #expect(try await alice.run(["user", "remove", "bob", "--yes"]).status == 0)
        #expect(await tail.exitStatus(timeout: .seconds(30)) == 1, "\(tail.stderr.all)")
        #expect(tail.stderr.all.contains { $0.contains("❌ authentication rejected by") && $0.contains("not enrolled there") }, "\(tail.stderr.all)")
    }

    @Test func ctrlCWhileReconnectingExitsZero() async throws {
        let (server, alice, _) = try await setUp()
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        let tail = try await tailing(alice, "ops", as: "watch")
        _ = await server.process.stop()
        #expect(await tail.stderr.first(containing: "reconnecting", timeout: .seconds(20)) != nil)
        #expect(await tail.stop(with: SIGINT, timeout: .seconds(10)) == 0)
    }
}
