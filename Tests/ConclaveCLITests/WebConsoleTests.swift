import ConclaveTesting
import Foundation
import Testing

/// `conclave web` in a real browser (Debian's headless Chromium, driven by Selenium) against a
/// real server, real `conclave` peers and a real bridge. Screenshots of the main screens are
/// saved under `.build/artifacts/web-console/` for review.
@Suite("conclave web (headless Chromium)", .serialized)
struct WebConsoleTests {
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/artifacts/web-console").path

    /// aaron runs agents (a bridge, `send`, `tail`); david watches from the console and is
    /// aaron's approver. Both follow the public channel `ops`.
    private func setUp() async throws -> (LiveServer, Identity, Identity) {
        let server = try await LiveServer.start()
        let aaron = try await Identity.registered("aaron", machine: "workstation", on: server)
        let david = try await Identity.registered("david", machine: "desktop", on: server)
        #expect(try await aaron.run(["channel", "create", "ops"]).status == 0)
        #expect(try await aaron.run(["send", "--channel", "ops", "from before the console started"]).status == 0)
        return (server, aaron, david)
    }

    /// Starts `conclave web` for `identity`; returns the process and the URL it printed.
    private func startConsole(_ identity: Identity) async throws -> (BackgroundProcess, String) {
        let console = try BackgroundProcess(["--config-dir", identity.config.path, "web", "--as", "console"])
        guard let line = await console.stdout.first(containing: "Conclave console: http://127.0.0.1:"),
              let url = line.components(separatedBy: "Conclave console: ").last
        else {
            throw LiveServerError(detail: "the console did not start: \(console.stderr.all.suffix(5))")
        }
        return (console, url)
    }

    @Test func messagesFlowBothWaysAndAPromptIsAnsweredFromThePage() async throws {
        let (server, aaron, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let davidKey = try await david.run(["key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await aaron.run(["approvers", "add", "david", "--key", davidKey]).status == 0)
        let (console, url) = try await startConsole(david)
        defer { _ = console }
        let browser = try await BrowserDriver()
        defer { browser.close() }

        try await browser.open(url)
        try await browser.wait(for: "nav .status", containing: "Connected as david/desktop/console")
        try await browser.click("nav button.conversation", containing: "#ops")
        try await browser.wait(for: "#timeline li", containing: "from before the console started")

        // A message sent with `conclave send` appears within a second of `send` returning.
        #expect(try await aaron.run(["send", "--channel", "ops", "deploy is green"]).status == 0)
        let elapsed = try await browser.wait(for: "#timeline li", containing: "deploy is green", timeout: 1.0)
        #expect(elapsed <= 1.0)
        print("web console: a sent message appeared on the page \(elapsed) s after `send` returned")
        // Signed by aaron's machine key, checked by the console (✓), not taken from the server.
        #expect(try await browser.texts("#timeline li").last?.contains("✓") == true)
        try await browser.screenshot(Self.artifacts + "/timeline.png")

        // A message posted from the page reaches `conclave tail`, signed by david's machine key.
        let tail = try aaron.start(["tail", "--channel", "ops"])
        #expect(await tail.stderr.first(containing: "tailing #ops") != nil)
        try await browser.type("rolling back now", into: "#message")
        try await browser.submit("#composer")
        try await browser.wait(for: "#composer-status", containing: "Sent")
        let line = await tail.stdout.first(containing: "rolling back now", timeout: .seconds(10))
        #expect(line?.contains("✓ david/desktop/console: rolling back now") == true, "tail printed: \(tail.stdout.all)")
        _ = await tail.stop()

        // A permission prompt relayed by aaron's bridge is answered from the page.
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "agent"])
        try await bridge.initialize()
        _ = try await bridge.call("who")
        try bridge.send([
            "jsonrpc": "2.0", "method": "notifications/claude/channel/permission_request",
            "params": ["request_id": "req-1", "tool_name": "Bash", "description": "run <b>the</b> tests", "input_preview": "swift test"],
        ])
        try await browser.wait(for: "#prompts .prompt", containing: "Bash", timeout: 15)
        // Peer text is shown as text: the markup arrives literally, not as a bold element.
        #expect(try await browser.texts("#prompts .prompt").first?.contains("run <b>the</b> tests") == true)
        #expect(try await browser.texts("#prompts .prompt b").isEmpty)
        try await browser.screenshot(Self.artifacts + "/permission-prompt.png")
        try await browser.click("#prompts button.allow")
        let verdict = await bridge.message { $0["method"] as? String == "notifications/claude/channel/permission" }
        #expect(verdict?["params"] as? [String: String] == ["request_id": "req-1", "behavior": "allow"])
        try await browser.wait(for: "#prompts li", containing: "None waiting.")

        // Search over what the console has seen.
        try await browser.type("deploy", into: "#search")
        try await browser.submit("#search-form")
        try await browser.wait(for: "#results li", containing: "deploy is green")
        try await browser.screenshot(Self.artifacts + "/search.png")

        // The machine's autonomy level, changed from the page, is what `perm show` reads.
        try await browser.select("converse", in: "#level-default")
        var shown = ""
        for _ in 0..<50 {
            shown = try await david.run(["perm", "show"]).stdout
            if shown.contains("converse") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(shown.contains("converse"), "perm show: \(shown)")
    }

    @Test func anEncryptedChannelOpensOnThePageAndWhatThePagePostsIsSealed() async throws {
        let (server, aaron, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        #expect(try await aaron.run(["channel", "create", "vault", "--e2e"]).status == 0)
        #expect(try await aaron.run(["acl", "add", "--channel", "vault", "david"]).status == 0)
        // The console announces this machine's key as it connects, so aaron can seal to it.
        let (console, url) = try await startConsole(david)
        defer { _ = console }
        let browser = try await BrowserDriver()
        defer { browser.close() }
        try await browser.open(url)
        try await browser.wait(for: "nav button.conversation", containing: "#vault", timeout: 30)
        #expect(try await browser.texts("nav button.conversation").contains { $0.contains("#vault") })
        try await browser.click("nav button.conversation", containing: "#vault")
        #expect(try await aaron.run(["send", "--channel", "vault", "the launch key is in the safe"]).status == 0)
        try await browser.wait(for: "#timeline li", containing: "the launch key is in the safe", timeout: 10)
        #expect(try await browser.texts("#timeline li").last?.contains("🔒") == true)

        // What the page posts there is sealed for aaron's machine: his `tail` opens it, and the
        // server's data directory never holds the text.
        let tail = try aaron.start(["tail", "--channel", "vault"])
        #expect(await tail.stderr.first(containing: "tailing #vault") != nil)
        try await browser.type("moving it to the vault", into: "#message")
        try await browser.submit("#composer")
        try await browser.wait(for: "#composer-status", containing: "Sent")
        let line = await tail.stdout.first(containing: "moving it to the vault", timeout: .seconds(10))
        #expect(line?.contains("✓ david/desktop/console: moving it to the vault") == true, "tail printed: \(tail.stdout.all)")
        _ = await tail.stop()
        #expect(try EndToEndVerbTests.storeBytes(server).range(of: Data("moving it to the vault".utf8)) == nil)
    }

    @Test func aRequestWithoutTheTokenOrFromAnotherOriginIsRefused() async throws {
        let (server, _, david) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let (console, url) = try await startConsole(david)
        defer { _ = console }
        let components = try #require(URLComponents(string: url))
        let port = try #require(components.port)
        let token = try #require(components.queryItems?.first { $0.name == "token" }?.value)

        let bare = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/api/state")
        #expect(bare.hasPrefix("HTTP/1.1 401"), "\(bare.prefix(80))")
        let wrong = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/api/state?token=" + String(repeating: "0", count: token.count))
        #expect(wrong.hasPrefix("HTTP/1.1 401"))
        let page = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/app.js")
        #expect(page.hasPrefix("HTTP/1.1 401"), "even the page's script needs the token")
        let good = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/api/state?token=" + token)
        #expect(good.hasPrefix("HTTP/1.1 200"))
        #expect(good.lowercased().contains("content-security-policy: default-src 'none'"))
        #expect(good.lowercased().contains("x-frame-options: deny"))

        // From a page of another origin (here another port on this machine), with the right
        // token even: refused. So is a request that names another host (DNS rebinding).
        let crossOrigin = try RawSocket(port: port)
        crossOrigin.send(Array("GET /api/state?token=\(token) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:1\r\nConnection: close\r\n\r\n".utf8))
        let crossReply = String(decoding: try await crossOrigin.read(until: { _ in false }, idle: 2_000), as: UTF8.self)
        #expect(crossReply.hasPrefix("HTTP/1.1 403"), "\(crossReply.prefix(80))")
        let rebound = try RawSocket(port: port)
        rebound.send(Array("GET /api/state?token=\(token) HTTP/1.1\r\nHost: attacker.example:\(port)\r\nConnection: close\r\n\r\n".utf8))
        let reboundReply = String(decoding: try await rebound.read(until: { _ in false }, idle: 2_000), as: UTF8.self)
        #expect(reboundReply.hasPrefix("HTTP/1.1 421"), "\(reboundReply.prefix(80))")

        // In the browser: without the token the page says what to do; with it, the page works
        // from the keyboard (the skip link first, then the search field).
        let browser = try await BrowserDriver()
        defer { browser.close() }
        try await browser.open("http://127.0.0.1:\(port)/")
        try await browser.wait(for: "body", containing: "needs its token")
        try await browser.open(url)
        try await browser.wait(for: "nav .status", containing: "Connected")
        try await browser.screenshot(Self.artifacts + "/overview.png")
        _ = try await browser.tab()
        #expect(try await browser.tab() == "search")
    }

    @Test func anUnreachableServerIsShownAndThenRecovers() async throws {
        let (server, _, david) = try await setUp()
        let (console, url) = try await startConsole(david)
        defer { _ = console }
        let browser = try await BrowserDriver()
        defer { browser.close() }
        try await browser.open(url)
        try await browser.wait(for: "nav .status", containing: "Connected")
        _ = await server.process.stop()
        try await browser.wait(for: "nav .status.reconnecting", containing: "Unreachable, reconnecting", timeout: 30)
        try await browser.screenshot(Self.artifacts + "/unreachable.png")
        let restarted = try await server.restarted()
        defer { withExtendedLifetime(restarted) {} }
        try await browser.wait(for: "nav .status.connected", containing: "Connected", timeout: 60)
    }
}
