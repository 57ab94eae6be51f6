@testable import ConclaveCLI
import Foundation
import Testing

/// The real Claude Code CLI (bundled in PyPI's `claude-agent-sdk`) driving our bridge offline,
/// with delivery by hooks: what reaches the model is read from the requests it sends to a
/// scripted Messages API on loopback.
@Suite("The real Claude Code CLI with hooks delivery (offline, scripted Messages API)")
struct ClaudeCodeTests {
    /// The `claude` executable: `CONCLAVE_CLAUDE_BIN`, else the one bundled with the installed
    /// `claude_agent_sdk` (scripts/test installs it). Missing is a failure, not a skip.
    static func claudeExecutable() async throws -> String {
        if let path = ProcessInfo.processInfo.environment["CONCLAVE_CLAUDE_BIN"] { return path }
        let probe = try await CLIProcess.runExecutable(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import claude_agent_sdk, os; print(os.path.join(os.path.dirname(claude_agent_sdk.__file__), '_bundled', 'claude'))"])
        let path = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard probe.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw LiveServerError(detail: "Claude Code not found: `pip install claude-agent-sdk` (scripts/test does) or set CONCLAVE_CLAUDE_BIN. \(probe.stderr.suffix(400))")
        }
        return path
    }

    @Test func sendPullWakeOnceAndExitPromptly() async throws {
        let claude = try await Self.claudeExecutable()
        let server = try await LiveServer.start()
        let alice = Identity()
        let bob = Identity()
        try await alice.register("alice", machine: "laptop", on: server)
        try await bob.register("bob", machine: "desk", on: server)
        #expect(try await bob.run(["channel", "create", "lobby"]).status == 0)
        #expect(try await bob.run(["channel", "create", "news"]).status == 0)
        // #lobby at converse (may wake the agent), everything else at the default, notify.
        #expect(try await alice.run(["perm", "set", "converse", "--channel", "lobby"]).status == 0)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-claude-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/claude_code_e2e.py").path
        let result = try await CLIProcess.runExecutable(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", script, CLIProcess.executable.path, claude, alice.config.path, bob.config.path, work.path])
        #expect(result.status == 0, "\(result.stderr.suffix(3000))")
        let report = try JSONOutput.object(result.stdout)
        #expect((report["mcp_list"] as? String)?.contains("Connected") == true)
        #expect((report["outbound"] as? [String: Any])?["from"] as? String == "alice/laptop/project")
        #expect(report["notify_woke_session"] as? Bool == false)
        #expect(report["pulled_on_prompt"] as? Bool == true)
        #expect((report["wake_seconds"] as? Double).map { $0 < 30 } == true)
        let wait = try #require(report["sender_wait"] as? [String: Any])
        #expect(wait["status"] as? Int == 0)
        let states = wait["states"] as? [String] ?? []
        #expect(states.contains { $0.hasPrefix("alice/laptop/project: delivered") || $0.hasPrefix("alice/laptop/project: relayed") })
        #expect(states.last == "alice/laptop/project: acked", "the receipt reached acked after the model's ack: \(states)")
        #expect(report["copies_in_final_request"] as? [String: Int] == ["news-1": 1, "ping-2": 1])
        #expect((report["tripwire_hits"] as? [Any])?.isEmpty == true)
        _ = server
    }

    @Test func setupIsIdempotentKeepsOtherSettingsAndUndoes() async throws {
        let alice = Identity()
        let project = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: project.appendingPathComponent(".claude"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: project) }
        let settings = project.appendingPathComponent(".claude/settings.local.json")
        let mine = #"{"model":"opus","hooks":{"Stop":[{"hooks":[{"type":"command","command":"notify-send done"}]}]}}"#
        try Data(mine.utf8).write(to: settings)

        let first = try await alice.run(["setup", "claude", "--project", project.path, "--no-register"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("claude mcp add --scope local conclave --") && first.stdout.contains("bridge --delivery hooks"))
        let written = try Data(contentsOf: settings)
        let second = try await alice.run(["setup", "claude", "--project", project.path, "--no-register"])
        #expect(second.status == 0 && second.stdout.contains("already has Conclave's hooks"))
        #expect(try Data(contentsOf: settings) == written, "running setup again changes nothing")

        let object = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(object["model"] as? String == "opus")
        let hooks = try #require(object["hooks"] as? [String: Any])
        #expect(Set(hooks.keys) == ["SessionStart", "UserPromptSubmit", "PostToolUse", "Stop", "SessionEnd"])
        let stop = String(decoding: try JSONSerialization.data(withJSONObject: hooks["Stop"] ?? [], options: .withoutEscapingSlashes), as: UTF8.self)
        #expect(stop.contains("notify-send done"), "the user's own Stop hook is kept")
        #expect(stop.contains("hook stop") && stop.contains("hook wait") && stop.contains("\"asyncRewake\":true"))
        #expect(stop.contains("--config-dir \(alice.config.path)"))

        let undo = try await alice.run(["setup", "claude", "--project", project.path, "--no-register", "--undo"])
        #expect(undo.status == 0)
        let after = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: settings)) as? NSDictionary)
        let original = try #require(try JSONSerialization.jsonObject(with: Data(mine.utf8)) as? NSDictionary)
        #expect(after == original, "undo leaves exactly what was there")

        // A launcher path with a space is quoted, and still recognised as ours.
        #expect(ClaudeHookSettings.isOurs(["type": "command", "command": "'/opt/my tools/conclave' --config-dir '/a b' hook stop"]))
        #expect(ClaudeHookSettings.firstWord(of: "'/it'\\''s/conclave' hook wait") == "/it's/conclave")
        #expect(!ClaudeHookSettings.isOurs(["type": "command", "command": "/usr/bin/notconclave hook stop"]))
        #expect(!ClaudeHookSettings.isOurs(["type": "command", "command": "conclave hook stop && rm -rf /"]))

        try Data("{not json".utf8).write(to: settings)
        let broken = try await alice.run(["setup", "claude", "--project", project.path, "--no-register"])
        #expect(broken.status == 1 && broken.stderr.contains("is not a JSON object"))
        #expect(try String(contentsOf: settings, encoding: .utf8) == "{not json", "a file it cannot read is left alone")
    }

    @Test func aHookWithNoBridgeInItsSessionIsSilent() async throws {
        let alice = Identity()
        for event in ["session-start", "user-prompt-submit", "post-tool-use", "stop", "session-end"] {
            let result = try await CLIProcess.run(
                ["--config-dir", alice.config.path, "hook", event], environment: ["CLAUDE_PID": "\(Int32.max - 3)"],
                stdin: Data(#"{"session_id":"nobody","hook_event_name":"Stop"}"#.utf8))
            #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty, "\(event): \(result.stderr)")
        }
        let unknown = try await alice.run(["hook", "teatime"])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown hook event `teatime`"))
    }
}
