import Foundation
import Testing

/// One rule for exit statuses and streams, checked verb by verb: results on stdout, notes on
/// stderr; 2 for a usage error (bad or missing value, unknown verb, a group without its verb),
/// with the message and the usage on stderr and nothing on stdout; help asked for goes to stdout
/// with 0.
@Suite("Usage errors, help and output streams (real binary)")
struct UsageRulesTests {
    @Test(arguments: [
        [String](),
        ["machine"],
        ["channel"],
        ["bogusverb"],
        ["bogusverb", "--help"],
        ["--config-dir", "/tmp/x", "bogus", "--help"],
        ["perm", "set", "bogus"],
        ["perm", "set", "converse", "--server", "wss://s1"],
        ["perm", "set", "converse", "--channel", "ops", "--whisper"],
        ["channel", "create", "x", "--visibility", "bogus"],
        ["channel", "create", "a/b"],
        ["channel", "set-visibility", "x", "bogus"],
        ["tail", "--channel", "ops", "--since", "5x"],
        ["tail", "--channel", "ops", "--as", "a/b"],
        ["join", "ops", "--perm", "loud"],
        ["invite", "create", "--channel", "ops", "--uses", "0"],
        ["invite", "create", "--channel", "ops", "--uses", "-1"],
        ["invite", "create", "--channel", "ops", "--expires-in", "soon"],
        ["register", "--server", "https://s1", "--username", "a"],
        ["register", "--server", "wss://s1", "--username", "a/b"],
        ["send", "--server", "ftp://s1", "--channel", "ops", "hi"],
        ["serve", "--bind", "localhost"],
    ])
    func usageErrorsExitTwoWithTheMessageOnStderr(_ arguments: [String]) async throws {
        let config = TemporaryConfig()
        let result = try await CLIProcess.run(["--config-dir", config.path] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        #expect(!result.stderr.isEmpty)
    }

    @Test(arguments: [["--help"], ["-h"], ["machine", "--help"], ["help", "machine"], ["channel", "create", "--help"], ["--version"]])
    func helpAskedForGoesToStdoutWithZero(_ arguments: [String]) async throws {
        let result = try await CLIProcess.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        #expect(!result.stdout.isEmpty)
    }

    @Test func aGroupWithoutItsVerbShowsItsHelpAsAUsageError() async throws {
        let result = try await CLIProcess.run(["machine"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("SUBCOMMANDS"))
        #expect(result.stderr.contains("add"))
    }

    @Test func helpTextsSayWhatTheVerbsDo() async throws {
        let perm = try await CLIProcess.run(["perm", "set", "--help"])
        #expect(perm.stdout.contains("Running bridges apply the change within a second"))
        #expect(!perm.stdout.contains("keep their levels"))
        let tail = try await CLIProcess.run(["tail", "--help"])
        #expect(tail.stdout.contains("one JSON object per line"))
        #expect(!tail.stdout.contains("one JSON document"))
    }

    /// `--server` may be left out with one registered server, `perm set … --channel` included.
    @Test func permSetUsesTheOnlyRegisteredServer() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let aaron = Identity()
        try await aaron.register("aaron", machine: "ws", on: server)
        let set = try await aaron.run(["perm", "set", "converse", "--channel", "ops"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout == "✓ permission updated (running bridges apply it within a second or so)\n")
        let shown = try await aaron.run(["perm", "show"])
        #expect(shown.stdout.contains("\(server.url) ops -> converse"))

        let nobody = Identity()
        let refused = try await nobody.run(["perm", "set", "converse", "--whisper"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no server is registered"))
    }

    /// A server that answered but turned the key away is not "unreachable".
    @Test func statusTellsARefusedKeyFromAnUnreachableServer() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let aaron = Identity()
        try await aaron.register("aaron", machine: "ws", on: server)
        #expect(try await aaron.run(["machine", "remove", "ws"]).status == 0)
        let status = try await aaron.run(["status"])
        #expect(status.status == 1)
        #expect(status.stdout.contains("refused this machine's key"), "\(status.stdout)")
        #expect(!status.stdout.contains("unreachable:"))
        #expect(status.stderr.contains("not accepting this machine's key"))
    }
}

@Suite("Rough edges a new user meets (real binary, real server)")
struct RoughEdgeTests {
    /// Runs `conclave <arguments>` on a pseudo-terminal (util-linux `script`), answering `answer`.
    private func onTerminal(_ identity: Identity, _ arguments: [String], answer: String) async throws -> CLIProcess.Result {
        let command = ([CLIProcess.executable.path, "--config-dir", identity.config.path] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try await CLIProcess.runExecutable(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], stdin: Data(answer.utf8))
    }

    @Test func destructiveVerbsAskOnATerminalAndSayWhatHappened() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let alice = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)

        let declined = try await onTerminal(alice, ["channel", "delete", "ops"], answer: "n\n")
        #expect(declined.status == 1)
        #expect(declined.stdout.contains("Delete #ops on"))
        #expect(declined.stdout.contains("cancelled; nothing was changed"))
        #expect(try await alice.run(["channel", "list"]).stdout.contains("ops"))

        let accepted = try await onTerminal(alice, ["channel", "delete", "ops"], answer: "y\n")
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("✓ deleted #ops on \(server.url): its history, members, bans and invites are gone"))
        #expect(!(try await alice.run(["channel", "list"]).stdout.contains("ops")))

        // `--yes` skips the question on a terminal; scripts (no terminal) are never asked.
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        let forced = try await onTerminal(alice, ["channel", "delete", "ops", "--yes"], answer: "")
        #expect(forced.status == 0)
        #expect(!forced.stdout.contains("[y/N]"))
    }

    @Test func registerNamesTheAccountAndApproversAddShowsTheList() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let aaron = Identity()
        try await aaron.register("aaron", machine: "ws", on: server)
        let first = try await aaron.run(["approvers", "add", "aaron"])
        #expect(first.stdout.contains("✓ approvers on \(server.url): aaron may now answer"))
        let again = try await aaron.run(["approvers", "add", "aaron"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already listed on \(server.url): aaron (nothing changed for them)"))
        #expect(again.stdout.contains("approvers on \(server.url) now: aaron"))
        #expect(!again.stdout.contains("may now answer"))
    }
}
