import Foundation
import Testing

/// SECURITY.md promises that no log holds a message body, an invite token or key material. Every
/// process here logs at trace level (server, one-shot verbs, `tail`, a bridge), through a real
/// handshake, posts (one read from standard input), an invite and its redemption; then every line
/// is searched.
@Suite("No secrets in any log, at trace level (real processes)")
struct SecretsInLogsTests {
    @Test func bodiesTokensAndKeysNeverReachALog() async throws {
        let trace = ["CONCLAVE_LOG": "trace"]
        let server = try await LiveServer.start(environment: trace)
        defer { withExtendedLifetime(server) {} }
        let alice = Identity()
        let bob = Identity()
        var logs: [String] = []
        func run(_ identity: Identity, _ arguments: [String], stdin: Data? = nil) async throws -> CLIProcess.Result {
            let result = try await CLIProcess.run(["--config-dir", identity.config.path] + arguments, environment: trace, stdin: stdin)
            logs.append(result.stderr)
            return result
        }
        #expect(try await run(alice, ["register", "--server", server.url, "--username", "alice", "--machine", "a"]).status == 0)
        #expect(try await run(bob, ["register", "--server", server.url, "--username", "bob", "--machine", "b"]).status == 0)
        #expect(try await run(alice, ["channel", "create", "vault", "--visibility", "private"]).status == 0)
        let invite = try await run(alice, ["invite", "create", "--channel", "vault"])
        let token = try #require(invite.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(token.count == 32)
        #expect(try await run(bob, ["join", "vault", "--token", token]).status == 0)

        let tail = try BackgroundProcess(["--config-dir", bob.config.path, "tail", "--channel", "vault"], environment: trace)
        #expect(await tail.stderr.first(containing: "tailing #vault") != nil)
        let bridge = try BridgeProcess(bob, arguments: ["--as", "agent"], environment: trace)
        try await bridge.initialize()
        #expect(try await bridge.call("join_channel", ["channel": "vault"]).text.hasPrefix("joined vault\n"))

        let body = "the-secret-body-\(UUID().uuidString)"
        #expect(try await run(alice, ["send", "--channel", "vault", body]).status == 0)
        #expect(await tail.stdout.first(containing: body) != nil)
        #expect(await bridge.injection(containing: body) != nil)
        let fromStdin = "the-secret-stdin-body-\(UUID().uuidString)"
        #expect(try await run(alice, ["send", "--channel", "vault"], stdin: Data(fromStdin.utf8)).status == 0)
        #expect(await bridge.injection(containing: fromStdin) != nil)
        #expect(await tail.stop(with: SIGINT) == 0)
        _ = await bridge.process.stop()
        _ = await server.process.stop()

        let seeds = try [alice, bob].map { try String(contentsOfFile: $0.config.path + "/key", encoding: .utf8) }
        // The bridge's full log is its file; stderr carries only its warnings.
        let bridgeLog = try String(contentsOfFile: bob.config.path + "/bridge.log", encoding: .utf8)
        #expect(bridgeLog.contains("bridge starting"), "the bridge's log file was written")
        logs += server.process.stderr.all + tail.stderr.all + bridge.process.stderr.all + [bridgeLog]
        let everything = logs.joined(separator: "\n")
        #expect(everything.count > 1_000, "trace logging produced too little to be a real check")
        for (name, secret) in [("message body", body), ("body read from stdin", fromStdin), ("invite token", token)] + seeds.map({ ("private key", $0) }) {
            #expect(!everything.contains(secret), "a log line holds the \(name)")
        }
    }
}
