import Foundation
import Testing

@Suite("conclave bridge (real server, real bridges over stdio)")
struct BridgeVerbTests {
    /// aaron (machine default converse) and david (default notify), both registered, and a
    /// public channel `lobby`.
    private func setUp() async throws -> (LiveServer, Identity, Identity) {
        let server = try await LiveServer.start()
        let aaron = try await Identity.registered("aaron", machine: "workstation", on: server)
        let david = try await Identity.registered("david", machine: "desktop", on: server)
        #expect(try await aaron.run(["perm", "set", "converse"]).status == 0)
        #expect(try await aaron.run(["channel", "create", "lobby"]).status == 0)
        return (server, aaron, david)
    }

    private func meta(_ message: [String: Any]?) -> [String: String] {
        ((message?["params"] as? [String: Any])?["meta"] as? [String: String]) ?? [:]
    }

    @Test func twoBridgesHoldAConversation() async throws {
        let (server, aaron, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let sender = try BridgeProcess(aaron, arguments: ["--as", "sender"])
        let receiver = try BridgeProcess(david, arguments: ["--as", "davidsession"])
        let initialized = try await sender.initialize()
        #expect(((initialized["capabilities"] as? [String: Any])?["experimental"] as? [String: Any])?["claude/channel"] != nil)
        try await receiver.initialize()
        #expect(try await sender.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        #expect(try await receiver.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        #expect(try await sender.toolNames().contains("send_channel"))

        let posted = try await sender.call("send_channel", ["channel": "lobby", "text": "hello <b>david</b>"])
        #expect(!posted.isError && posted.text.hasPrefix("sent to lobby (id "), "our server gives ids: \(posted.text)")
        let injected = try #require(await receiver.injection(containing: "hello &lt;b&gt;david&lt;/b&gt;"))
        #expect(meta(injected)["channel"] == "lobby")
        #expect(meta(injected)["from"] == "aaron/workstation/sender")
        let content = (injected["params"] as? [String: Any])?["content"] as? String ?? ""
        #expect(content == "hello &lt;b&gt;david&lt;/b&gt;", "the escaped body alone: Claude Code adds the tag")
        #expect(meta(injected)["level"] == "notify")

        #expect(try await sender.call("whisper", ["target": "david/desktop/davidsession", "text": "just you"]).text.hasPrefix("whisper sent (id "))
        let whisper = try #require(await receiver.injection(containing: "just you"))
        #expect(meta(whisper)["kind"] == "whisper")

        // david is at notify: he may not emit, and the tools say why.
        let refused = try await receiver.call("send_channel", ["channel": "lobby", "text": "hi"])
        #expect(refused.isError)
        // His session cannot raise its own level; david does, from a terminal, and the running
        // bridge picks it up; the reply reaches aaron.
        #expect(try await receiver.call("set_perm", ["channel": "lobby", "level": "converse"]).isError)
        #expect(try await david.run(["perm", "set", "converse", "--server", server.url, "--channel", "lobby"]).status == 0)
        #expect(try await receiver.call("send_channel", ["channel": "lobby", "text": "hi aaron"], until: "sent to lobby").hasPrefix("sent to lobby (id "))
        let reply = try #require(await sender.injection(containing: "hi aaron"))
        #expect(meta(reply)["level"] == "converse")
        // The level was saved: a new process sees it.
        #expect(try await david.run(["perm", "show"]).stdout.contains("lobby -> converse"))

        // aaron mutes the channel: david's next post is dropped, a whisper still arrives.
        #expect(try await sender.call("set_perm", ["channel": "lobby", "level": "mute"]).isError == false)
        #expect(try await receiver.call("send_channel", ["channel": "lobby", "text": "muted words"]).text.hasPrefix("sent to lobby (id "))
        #expect(try await david.run(["perm", "set", "act", "--server", server.url, "--whisper"]).status == 0)
        #expect(try await receiver.call("whisper", ["target": "aaron/workstation/sender", "text": "after mute"], until: "whisper sent").hasPrefix("whisper sent (id "))
        #expect(await sender.injection(containing: "after mute") != nil)
        #expect(await sender.injection(containing: "muted words", timeout: .milliseconds(100)) == nil)
    }

    @Test func aLevelSetWithTheCLIReachesARunningBridge() async throws {
        let (server, aaron, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let receiver = try BridgeProcess(david, arguments: ["--as", "d"])
        try await receiver.initialize()
        #expect(try await receiver.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        #expect(!(try await receiver.toolNames().contains("send_channel")))
        #expect(try await david.run(["perm", "set", "converse", "--server", server.url, "--channel", "lobby"]).status == 0)
        let changed = await receiver.message(timeout: .seconds(10)) { $0["method"] as? String == "notifications/tools/list_changed" }
        #expect(changed != nil)
        #expect(try await receiver.toolNames().contains("send_channel"))
        _ = aaron
    }

    @Test func aBridgeResubscribesAfterTheServerRestarts() async throws {
        var (server, aaron, david) = try await setUp()
        let receiver = try BridgeProcess(david, arguments: ["--as", "d"])
        try await receiver.initialize()
        #expect(try await receiver.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        server = try await server.restarted()
        #expect(await receiver.injection(containing: "Reconnected to", timeout: .seconds(30)) != nil)
        // The re-join is sent before anything else on the new connection; give it a moment.
        var delivered = false
        for attempt in 0..<20 where !delivered {
            #expect(try await aaron.run(["send", "--channel", "lobby", "after restart \(attempt)"]).status == 0)
            delivered = await receiver.injection(containing: "after restart", timeout: .milliseconds(500)) != nil
        }
        #expect(delivered)
        withExtendedLifetime(server) {}
    }

    @Test func defaultedHandlesSettleAsDirAndDir2() async throws {
        let (server, aaron, _) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let directory = NSTemporaryDirectory() + "conclave-\(UUID().uuidString)/fleet"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let first = try BridgeProcess(aaron, directory: directory)
        let second = try BridgeProcess(aaron, directory: directory)
        try await first.initialize()
        try await second.initialize()
        var sessions: [String] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let who = try await first.call("who")
            sessions = who.text.components(separatedBy: ": ").last?.components(separatedBy: ", ") ?? []
            if Set(sessions) == ["aaron/workstation/fleet", "aaron/workstation/fleet-2"] { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(Set(sessions) == ["aaron/workstation/fleet", "aaron/workstation/fleet-2"])
        let firstNotice = await first.injection(containing: "`fleet-2`", timeout: .milliseconds(10))
        let secondNotice = await second.injection(containing: "`fleet-2`", timeout: .milliseconds(10))
        #expect(firstNotice != nil || secondNotice != nil, "the renamed bridge tells its session")
    }

    @Test func aPermissionPromptIsApprovedFromAnotherTerminal() async throws {
        let (server, aaron, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        // Another user must be pinned to a key: without it the prompt could not be sealed.
        #expect(try await aaron.run(["approvers", "add", "david"]).status == 1)
        let davidKey = try await david.run(["key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let added = try await aaron.run(["approvers", "add", "david", "--key", davidKey])
        try #require(added.status == 0, "approvers add failed: \(added.stderr) (key printed: \(davidKey))")
        let approver = try BackgroundProcess(["--config-dir", david.config.path, "approve"], interactive: true)
        #expect(await approver.stderr.first(containing: "waiting for permission requests") != nil)
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "agent"])
        try await bridge.initialize()
        _ = try await bridge.call("who")
        try bridge.send([
            "jsonrpc": "2.0", "method": "notifications/claude/channel/permission_request",
            "params": ["request_id": "abcde\u{1B}]0;owned\u{07}", "tool_name": "Bash", "description": "run the tests", "input_preview": "swift test"],
        ])
        // Every field is sanitised: the escape sequence in the id is shown, not obeyed.
        #expect(await approver.stdout.first(containing: "permission request abcde\\u{1b}]0;owned\\u{7} from aaron/workstation/agent") != nil)
        #expect(!approver.stdout.all.joined().contains("\u{1B}"))
        #expect(await approver.stdout.first(containing: "tool: Bash") != nil)
        try approver.send("y")
        let verdict = await bridge.message { $0["method"] as? String == "notifications/claude/channel/permission" }
        let params = verdict?["params"] as? [String: String]
        #expect(params == ["request_id": "abcde\u{1B}]0;owned\u{07}", "behavior": "allow"])
        #expect(await approver.stdout.first(containing: "✓ allowed") != nil)
        // End of input ends the console even while no request is waiting.
        try approver.closeInput()
        #expect(await approver.exitStatus(timeout: .seconds(10)) == 0)
    }

    @Test func stdioIsStrictAndEndOfInputEndsTheBridgeQuickly() async throws {
        let (server, aaron, _) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "strict"])
        try bridge.process.send("this is not json")
        let parseError = await bridge.message { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }
        #expect(parseError != nil)
        let early = try await bridge.request("tools/list")
        #expect((early["error"] as? [String: Any])?["code"] as? Int == -32002)
        try await bridge.initialize()
        #expect(try await bridge.call("nope").isError)
        #expect(try await bridge.call("send_channel", ["channel": "lobby", "text": "x"]).text.contains("not available"))
        let started = ContinuousClock.now
        try bridge.process.closeInput()
        #expect(await bridge.process.exitStatus(timeout: .seconds(5)) == 0)
        #expect(started.duration(to: .now) < .seconds(2))
        #expect(bridge.process.stdout.all.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
    }

    /// Claude Code shows everything a server writes on stderr as an error: the bridge logs to
    /// `<config-dir>/bridge.log` (0600) and keeps stderr for warnings; `-v` puts its log there too.
    @Test func theBridgeLogsToItsFileAndStaysQuietOnStderr() async throws {
        let (server, aaron, _) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "quiet"])
        try await bridge.initialize()
        #expect(try await bridge.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        let log = aaron.config.path + "/bridge.log"
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("bridge starting"), "\(text)")
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? Int == 0o600)
        #expect(bridge.process.stderr.all.isEmpty, "\(bridge.process.stderr.all)")

        let verbose = try BridgeProcess(aaron, arguments: ["--as", "loud", "-v"])
        try await verbose.initialize()
        #expect(await verbose.process.stderr.first(containing: "bridge starting") != nil)
    }

    @Test func aClosedStdoutEndsTheBridge() async throws {
        let (server, aaron, _) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let process = Process()
        process.executableURL = CLIProcess.executable
        process.arguments = ["--config-dir", aaron.config.path, "bridge", "--as", "gone"]
        let input = Pipe()
        // A close-on-exec pipe: with Foundation's `Pipe`, a process another test starts meanwhile
        // inherits the read end and keeps it open, so the bridge's writes never fail.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let output = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try output.close()
        // The client goes away: nobody will read the bridge's stdout again.
        close(ends[0])
        try input.fileHandleForWriting.write(contentsOf: Data(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#.utf8 + [0x0A]))
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!process.isRunning, "the bridge must end when it cannot write to its client")
        if process.isRunning { process.terminate() } else { #expect(process.terminationStatus == 0) }
        try? input.fileHandleForWriting.close()
    }

    @Test func theBridgeNeedsAKnownServer() async throws {
        let identity = Identity()
        _ = try await identity.run(["key"])
        let none = try await identity.run(["bridge"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no known server"))
        let unknown = try await identity.run(["bridge", "--server", "ws://127.0.0.1:9/"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no registration for"))
    }

    @Test func theOfficialPythonMCPClientDrivesTheBridge() async throws {
        let (server, aaron, _) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/mcp_client_check.py").path
        let result = try await CLIProcess.runExecutable(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, CLIProcess.executable.path, aaron.config.path, "lobby"])
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let report = try JSONOutput.object(result.stdout)
        #expect(report["channel_capability"] as? Bool == true)
        #expect(report["list_changed"] as? Bool == true)
        #expect((report["tools"] as? [String])?.contains("join_channel") == true)
        #expect(((report["join"] as? [String: Any])?["text"] as? String)?.hasPrefix("joined lobby\n") == true)
        #expect((report["who"] as? [String: Any])?["text"] as? String == "#lobby: aaron/workstation/py-sdk")
        #expect((report["missing_argument"] as? [String: Any])?["is_error"] as? Bool == true)
        #expect(report["ping"] as? Bool == true)
    }
}

@Suite("conclave bridge with several servers")
struct BridgeMultiHomeTests {
    @Test func oneBridgeTalksToTwoServersAndLinksOneServerOnce() async throws {
        let first = try await LiveServer.start()
        let second = try await LiveServer.start()
        let aaron = Identity()
        let listener = Identity()
        for server in [first, second] {
            try await aaron.register("aaron", machine: "workstation", on: server)
            try await listener.register("lena", machine: "l", on: server)
            #expect(try await aaron.run(["channel", "create", "room", "--server", server.url]).status == 0)
        }
        // The first server once more, under another URL (a query string).
        try aaron.config.write(try aaron.config.read("config.toml") + """

            [[servers]]
            url = "\(first.url)?alias"
            username = "aaron"
            machine = "workstation"
            """, to: "config.toml")
        #expect(try await aaron.run(["perm", "set", "converse"]).status == 0)
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "multi"])
        try await bridge.initialize()
        #expect(await bridge.injection(containing: "is the same server as", timeout: .seconds(20)) != nil)

        let lena = try BridgeProcess(listener, arguments: ["--as", "ear", "--server", second.url])
        try await lena.initialize()
        #expect(try await lena.call("join_channel", ["channel": "room"]).text.hasPrefix("joined room\n"))

        let ambiguous = try await bridge.call("join_channel", ["channel": "room"])
        #expect(ambiguous.isError && ambiguous.text.contains("pass `server`"))
        for server in [first, second] {
            #expect(try await bridge.call("join_channel", ["channel": "room", "server": server.url]).text.hasPrefix("joined room\n"))
        }
        #expect(try await bridge.call("send_channel", ["channel": "room", "server": second.url, "text": "to the second"]).text.hasPrefix("sent to room (id "))
        let delivered = try #require(await lena.injection(containing: "to the second"))
        #expect(((delivered["params"] as? [String: Any])?["meta"] as? [String: String])?["server"] == second.url)
        #expect(try await bridge.call("whisper", ["server": second.url, "target": "lena/l/ear", "text": "direct"]).text.hasPrefix("whisper sent (id "))
        #expect(await lena.injection(containing: "direct") != nil)
        let who = try await bridge.call("who", ["server": first.url])
        #expect(who.text == "server-wide: aaron/workstation/multi")
        let duplicate = try await bridge.call("who", ["server": "\(first.url)?alias"])
        #expect(duplicate.isError && duplicate.text.contains("is the same server as"))
    }
}
