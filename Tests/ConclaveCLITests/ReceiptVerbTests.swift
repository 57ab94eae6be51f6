import Foundation
import Testing

/// Receipts end to end: our server, a bridge as the recipient, `send --wait` and `receipts`.
@Suite("conclave send --wait and conclave receipts (real server, real bridge)")
struct ReceiptVerbTests {
    @Test func theSenderSeesItsMessageReachTheModelAndBeAcknowledged() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let aaron = try await Identity.registered("aaron", machine: "workstation", on: server)
        let bob = try await Identity.registered("bob", machine: "laptop", on: server)
        #expect(try await aaron.run(["channel", "create", "ops"]).status == 0)
        #expect(try await bob.run(["perm", "set", "converse"]).status == 0)
        let agent = try BridgeProcess(bob, arguments: ["--as", "agent"])
        try await agent.initialize()
        #expect(try await agent.call("join_channel", ["channel": "ops"]).text.hasPrefix("joined ops\n"))

        let sent = try await aaron.run(["send", "--channel", "ops", "--wait", "injected", "--timeout", "20s", "deploy done?"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let id = try #require(sent.stdout.firstMatch(of: /\(id (\d+)\)/)?.1).description
        #expect(sent.stderr.contains("bob/laptop/agent: injected"), "\(sent.stderr)")
        let shown = try #require(await agent.injection(containing: "deploy done?"))
        #expect(((shown["params"] as? [String: Any])?["meta"] as? [String: String])?["id"] == id)

        // The model acknowledges it; the sender sees that, and nobody else may look.
        #expect(try await agent.call("ack", ["id": id]).text == "acknowledged message \(id)")
        let acked = try await aaron.run(["send", "--channel", "ops", "--wait", "acked", "--timeout", "2s", "and this one?"])
        #expect(acked.status == 1 && acked.stderr.contains("no recipient reached `acked` within 2 s"), "\(acked.stderr)")
        var listed = try await aaron.run(["receipts", id, "--json"])
        for _ in 0..<50 where !listed.stdout.contains("\"acked\"") {
            try await Task.sleep(for: .milliseconds(100))
            listed = try await aaron.run(["receipts", id, "--json"])
        }
        let document = try JSONOutput.object(listed.stdout)
        let rows = try #require(document["receipts"] as? [[String: Any]])
        #expect(rows.first { $0["recipient"] as? String == "bob/laptop/agent" }?["state"] as? String == "acked")
        let table = try await aaron.run(["receipts", id])
        #expect(table.stdout.hasPrefix("RECIPIENT") && table.stdout.contains("acked"))
        let foreign = try await bob.run(["receipts", id])
        #expect(foreign.status == 1 && foreign.stderr.contains("no receipts for message \(id) of yours"))

        // Nobody else in the channel: nothing to wait for, said at once.
        #expect(try await aaron.run(["channel", "create", "empty"]).status == 0)
        let alone = try await aaron.run(["send", "--channel", "empty", "--wait", "delivered", "hello?"])
        #expect(alone.status == 1 && alone.stderr.contains("nothing to wait for"))
        let bad = try await aaron.run(["send", "--channel", "ops", "--wait", "relayed", "x"])
        #expect(bad.status == 2 && bad.stderr.contains("--wait takes delivered, injected or acked"))
    }
}
