import Foundation
import Testing

/// What running next to reference clients and behind real deployments needs: restarts that do
/// not stop clients, a config.toml both clients read the same way, quiet joins, and TLS with a
/// private certificate authority.
@Suite("Interop and deployment (real server, our CLI and bridge, a reference-protocol peer)")
struct InteropDeploymentTests {
    private func meta(_ message: [String: Any]?) -> [String: String] {
        ((message?["params"] as? [String: Any])?["meta"] as? [String: String]) ?? [:]
    }

    private func configText(_ identity: Identity) throws -> String {
        try String(contentsOfFile: identity.config.path + "/config.toml", encoding: .utf8)
    }

    /// Our server used to send `Error(Unauthorized("server shutting down"))` on SIGTERM, which the
    /// reference `tail` takes as final (it exits 1); a close with 1001 makes every client resume.
    @Test func aGracefulRestartKeepsTheReferenceTailOurTailAndOurBridge() async throws {
        var server = try await LiveServer.start()
        let aaron = Identity()
        let bob = Identity()
        let carol = Identity()
        try await aaron.register("aaron", machine: "workstation", on: server)
        // bob writes the URL without the trailing slash, as people do.
        let typed = String(server.url.dropLast())
        #expect(try await bob.run(["register", "--server", typed, "--username", "bob", "--machine", "laptop"]).status == 0)
        try await carol.register("carol", machine: "box", on: server)
        #expect(try await aaron.run(["channel", "create", "watch"]).status == 0)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/reference_tail.py").path
        let reference = try BackgroundProcess(
            ["python3", script, server.url, carol.config.path + "/key", "watch", "reftail"],
            executable: URL(fileURLWithPath: "/usr/bin/env"))
        defer { _ = reference }
        #expect(await reference.stdout.first(containing: "joined") != nil, "reference peer: \(reference.stderr.all.suffix(5))")
        let tail = try bob.start(["tail", "--channel", "watch"])
        #expect(await tail.stderr.first(containing: "tailing #watch") != nil)
        let bridge = try BridgeProcess(bob, arguments: ["--as", "agent"])
        try await bridge.initialize()
        #expect(try await bridge.call("join_channel", ["channel": "watch"]).text.hasPrefix("joined watch\n"))

        server = try await server.restarted()
        #expect(await reference.stdout.first(containing: "closed 1001", timeout: .seconds(15)) != nil)
        #expect(await reference.stdout.first(containing: "resumed", timeout: .seconds(30)) != nil)
        #expect(await tail.stderr.first(containing: "✓ reconnected; resuming #watch", timeout: .seconds(30)) != nil)
        #expect(await bridge.injection(containing: "Reconnected to", timeout: .seconds(30)) != nil)

        // All three receive what is said after the restart. Each re-joins at its own pace (the
        // reference peer keeps no history, so it only hears what is sent after its re-join):
        // post until every one of them has heard something, within a generous bound.
        var delivered: [String: Any]?
        var referenceHeard = false
        var tailHeard = false
        for attempt in 0..<60 where delivered == nil || !referenceHeard || !tailHeard {
            #expect(try await aaron.run(["send", "--channel", "watch", "after the restart \(attempt)"]).status == 0)
            if delivered == nil {
                delivered = await bridge.injection(containing: "after the restart", timeout: .milliseconds(500))
            } else {
                try await Task.sleep(for: .milliseconds(500))
            }
            referenceHeard = reference.stdout.all.contains { $0.hasPrefix("message after the restart") }
            tailHeard = tail.stdout.all.contains { $0.contains("after the restart") }
        }
        #expect(delivered != nil)
        #expect(referenceHeard, "\(reference.stdout.all)")
        #expect(tailHeard)
        // The bridge names the server the way bob wrote it.
        #expect(meta(delivered)["server"] == typed)
        #expect(reference.isRunning, "the reference peer gave up: \(reference.stdout.all)")
        #expect(!reference.stdout.all.contains { $0.hasPrefix("error") })
        #expect(await tail.stop(with: SIGINT) == 0)
        withExtendedLifetime(server) {}
    }

    /// The reference compares config.toml's URLs as raw strings, so `server remove
    /// ws://127.0.0.1:4390` found nothing when we had stored `ws://127.0.0.1:4390/`.
    @Test func configStoresURLsAsWrittenAndMigratesTheNormalisedForm() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let bob = Identity()
        let typed = String(server.url.dropLast())
        #expect(try await bob.run(["register", "--server", typed, "--username", "bob", "--machine", "laptop"]).status == 0)
        // Another spelling of the same server: the override takes the registration's spelling,
        // which is what the reference matches overrides against.
        #expect(try await bob.run(["perm", "set", "converse", "--server", typed + "/", "--channel", "ops"]).status == 0)
        var text = try configText(bob)
        #expect(text.contains("url = \"\(typed)\""))
        #expect(text.contains("server = \"\(typed)\""))
        #expect(!text.contains("\(typed)/\""))
        #expect(text.contains("url_style = \"as-written\""))
        let list = try await bob.run(["server", "list"])
        #expect(list.stdout.contains(typed + "\t") || list.stdout.contains(typed + " "))

        // A file from an earlier release: normal form, no marker. Any verb migrates it once.
        let legacy = """
            default_permission = "notify"

            [[servers]]
            url = "\(server.url)"
            username = "bob"
            machine = "laptop"

            [[overrides]]
            server = "\(server.url)"
            channel = "ops"
            level = "converse"

            """
        try legacy.write(toFile: bob.config.path + "/config.toml", atomically: true, encoding: .utf8)
        #expect(try await bob.run(["server", "list"]).status == 0)
        text = try configText(bob)
        #expect(text.contains("url = \"\(typed)\""))
        #expect(text.contains("server = \"\(typed)\""))
        #expect(text.contains("url_style = \"as-written\""))
        // Ours still matches any spelling.
        let removed = try await bob.run(["server", "remove", typed + "/"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("1 permission override(s) removed"))
    }

    /// Every `join_channel` used to send `AclList`, refused for anyone but the channel's admins
    /// and logged by the server as a warning each time.
    @Test func joinChannelAsksForTheACLOnlyWhereTheAnswerCanBeYes() async throws {
        let server = try await LiveServer.start()
        defer { withExtendedLifetime(server) {} }
        let aaron = Identity()
        let david = Identity()
        try await aaron.register("aaron", machine: "workstation", on: server)
        try await david.register("david", machine: "desktop", on: server)
        #expect(try await aaron.run(["channel", "create", "lobby"]).status == 0)
        #expect(try await aaron.run(["channel", "create", "backroom", "--visibility", "unlisted"]).status == 0)

        let joiner = try BridgeProcess(david, arguments: ["--as", "d"])
        try await joiner.initialize()
        #expect(try await joiner.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        #expect(try await joiner.call("join_channel", ["channel": "backroom"]).text.hasPrefix("joined backroom\n"))
        // Requests to one server go one at a time, so a probe sent after a join is answered
        // before this `who` is.
        #expect(!(try await joiner.call("who", ["channel": "lobby"]).isError))
        #expect(!(try await joiner.toolNames().contains("kick")))

        // The creator does get its moderation tools.
        let owner = try BridgeProcess(aaron, arguments: ["--as", "a"])
        try await owner.initialize()
        #expect(try await owner.call("join_channel", ["channel": "lobby"]).text.hasPrefix("joined lobby\n"))
        // Its `AclList` probe follows the `ListChannels` one, so give it a moment.
        var offered = try await owner.toolNames()
        let deadline = ContinuousClock.now + .seconds(10)
        while !offered.contains("kick"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            offered = try await owner.toolNames()
        }
        #expect(offered.contains("kick"))

        let refusals = server.process.stderr.all.filter { $0.contains("admin role required") }
        #expect(refusals.isEmpty, "the server refused ACL probes: \(refusals)")
    }

    /// Our clients could not reach a server with a private CA (no way to trust it), nor one with
    /// an Ed25519 certificate (BoringSSL's client list lacks the algorithm).
    @Test(arguments: [PrivateCA.KeyType.p256, .ed25519])
    func everyVerbAndTheBridgeTrustAPrivateCAGivenOnce(_ keyType: PrivateCA.KeyType) async throws {
        let authority = try await PrivateCA.make(serverKey: keyType)
        let server = try await LiveServer.start(extraArguments: authority.serveArguments)
        defer { withExtendedLifetime(server) {} }
        #expect(server.url.hasPrefix("wss://"))
        let aaron = Identity()
        let untrusted = try await aaron.run(["register", "--server", server.url, "--username", "aaron", "--machine", "ws"])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("--ca-file"), "\(untrusted.stderr)")

        let registered = try await aaron.run([
            "register", "--server", server.url, "--username", "aaron", "--machine", "ws", "--ca-file", authority.caCertificate,
        ])
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(try configText(aaron).contains("ca_file = \"\(authority.caCertificate)\""))
        // Remembered: no verb below names the CA again.
        #expect(try await aaron.run(["channel", "create", "secure"]).status == 0)
        let tail = try aaron.start(["tail", "--channel", "secure"])
        #expect(await tail.stderr.first(containing: "tailing #secure") != nil, "\(tail.stderr.all)")
        let bridge = try BridgeProcess(aaron, arguments: ["--as", "agent"])
        try await bridge.initialize()
        #expect(try await bridge.call("join_channel", ["channel": "secure"]).text.hasPrefix("joined secure\n"))

        // SSL_CERT_FILE is honoured, as OpenSSL-based tools do.
        let bob = Identity()
        let viaEnvironment = try await CLIProcess.run(
            ["--config-dir", bob.config.path, "register", "--server", server.url, "--username", "bob", "--machine", "pc"],
            environment: ["SSL_CERT_FILE": authority.caCertificate])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
        let posted = try await CLIProcess.run(
            ["--config-dir", bob.config.path, "send", "--channel", "secure", "over tls"],
            environment: ["SSL_CERT_FILE": authority.caCertificate])
        #expect(posted.status == 0, "\(posted.stderr)")

        #expect(await tail.stdout.first(containing: "over tls") != nil)
        #expect(await bridge.injection(containing: "over tls") != nil)
        #expect(await tail.stop(with: SIGINT) == 0)
    }

    @Test func serveWarnsOnceWhenNetworkTrafficWouldBeInTheClear() async throws {
        let open = try await LiveServer.start(bind: "0.0.0.0:0")
        #expect(open.process.stderr.all.filter { $0.contains("without TLS") }.count == 1)
        let proxied = try await LiveServer.start(bind: "0.0.0.0:0", extraArguments: ["--behind-proxy"])
        let loopback = try await LiveServer.start()
        for quiet in [proxied, loopback] {
            #expect(!quiet.process.stderr.all.contains { $0.contains("without TLS") })
        }
        withExtendedLifetime([open, proxied, loopback]) {}
    }
}
