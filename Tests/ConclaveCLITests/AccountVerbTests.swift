import Foundation
import Testing

@Suite("register, machine, server, status (real server)")
struct AccountVerbTests {
    @Test func registerRecordsOnlyWhatTheServerAccepted() async throws {
        let server = try await LiveServer.start()
        let alice = Identity()
        let registered = try await alice.run(["register", "--server", server.url, "--username", "alice", "--machine", "ws"])
        #expect(registered.status == 0)
        #expect(registered.stdout.hasPrefix("✓ registered alice on ws://"))
        #expect(registered.stdout.hasSuffix("(this machine is `ws`)\n"))
        #expect(!registered.stdout.contains("cli-"))
        let config = try alice.config.read("config.toml")
        #expect(config.contains("url = \"\(server.url)\""))
        #expect(config.contains("username = \"alice\""))

        // A refused claim writes nothing locally.
        let bob = Identity()
        let taken = try await bob.run(["register", "--server", server.url, "--username", "alice", "--machine", "lap"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("already taken"))
        #expect((try? bob.config.read("config.toml")) == nil)

        // A config that could not be saved stops the verb before the server records the claim.
        let carol = Identity()
        try carol.config.write("servers = [ broken", to: "config.toml")
        let broken = try await carol.run(["register", "--server", server.url, "--username", "carol"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("failed to parse config"))
        try await Identity().register("carol", machine: "m", on: server)

        // Invalid names never reach the server.
        let invalid = try await Identity().run(["register", "--server", server.url, "--username", "a/b"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("invalid username"))
    }

    @Test func aSecondMachineJoinsTheAccountWithoutEditingFiles() async throws {
        let server = try await LiveServer.start()
        let workstation = Identity()
        try await workstation.register("aaron", machine: "workstation", on: server)
        let laptop = Identity()
        let key = try await laptop.run(["key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let added = try await workstation.run(["machine", "add", "--name", "laptop", "--pubkey", key])
        #expect(added.status == 0)
        #expect(added.stdout == "✓ laptop\n")
        #expect(added.stderr.contains("conclave server add \(server.url)"))

        let recorded = try await laptop.run(["server", "add", server.url])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout == "✓ recorded \(server.url): this key signs in to account `aaron` as machine `laptop`\n")
        #expect(recorded.stderr.contains("someone enrolled your public key"))
        let servers = try JSONOutput.objects(try await laptop.run(["server", "list", "--json"]).stdout)
        #expect(servers.count == 1)
        #expect(servers.first?["username"] as? String == "aaron")
        #expect(servers.first?["machine"] as? String == "laptop")
        #expect(try await laptop.run(["status"]).status == 0)

        let machines = try JSONOutput.objects(try await workstation.run(["machine", "list", "--json"]).stdout)
        #expect(Set(machines.compactMap { $0["name"] as? String }) == ["workstation", "laptop"])
        #expect(machines.first { $0["name"] as? String == "laptop" }?["pubkey"] as? String == key)
        let table = try await workstation.run(["machine", "list"])
        #expect(table.stdout.hasPrefix("MACHINE "))
        #expect(table.stdout.contains("laptop"))

        #expect(try await workstation.run(["machine", "remove", "laptop"]).stdout.hasPrefix("✓ revoked `laptop` on "))
        let revoked = try await laptop.run(["status"])
        #expect(revoked.status == 1)
        #expect(revoked.stdout.contains("refused this machine's key"))

        // A key that was never enrolled is told how to fix it.
        let stranger = Identity()
        _ = try await stranger.run(["key"])
        let unknown = try await stranger.run(["server", "add", server.url])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not enrolled"))
        #expect(unknown.stderr.contains("conclave machine add"))
    }

    @Test(arguments: [
        "abc",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ])
    func machineAddRefusesMalformedKeysBeforeConnecting(_ pubkey: String) async throws {
        let identity = Identity()
        _ = try await identity.run(["key"])
        // Nothing listens on port 1: the key must be refused before any connection.
        let result = try await identity.run(["machine", "add", "--server", "ws://127.0.0.1:1", "--name", "x", "--pubkey", pubkey])
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid public key"))
    }

    @Test func serverMayBeOmittedWithOneRegistrationAndIsListedWhenAmbiguous() async throws {
        let first = try await LiveServer.start()
        let alice = Identity()
        let none = try await alice.run(["channel", "list"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("conclave register"))

        try await alice.register("alice", machine: "ws", on: first)
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        #expect(try await alice.run(["channel", "list"]).stdout.contains("ops"))

        let second = try await LiveServer.start()
        try await alice.register("alice", machine: "ws", on: second)
        let ambiguous = try await alice.run(["channel", "list"])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("several servers are registered"))
        #expect(ambiguous.stderr.contains(first.url) && ambiguous.stderr.contains(second.url))
        // Spellings of one URL are the same server.
        let spelled = first.url.replacingOccurrences(of: "ws://", with: "WS://").dropLast()
        #expect(try await alice.run(["channel", "list", "--server", String(spelled)]).stdout.contains("ops"))
    }

    @Test func serverListAndRemoveWorkOnNormalisedURLs() async throws {
        let identity = Identity()
        try identity.config.write("""
            [[servers]]
            url = "wss://a.example/"
            username = "aaron"
            machine = "ws"

            [[servers]]
            url = "wss://b.example/"
            username = "aaron"
            machine = "ws"

            [[overrides]]
            server = "wss://a.example/"
            channel = "ops"
            level = "act"

            [[overrides]]
            server = "wss://b.example/"
            channel = "ops"
            level = "converse"
            """, to: "config.toml")
        let list = try await identity.run(["server", "list"])
        #expect(list.stdout.split(separator: "\n").count == 3)
        // A file in the earlier normal form: migrated to the slash-less spelling on first read.
        #expect(list.stdout.contains("wss://a.example ") && list.stdout.contains("wss://b.example "))

        let removed = try await identity.run(["server", "remove", "WSS://B.example:443"])
        #expect(removed.status == 0)
        #expect(removed.stdout == "✓ forgot `wss://b.example` (1 permission override(s) removed)\n")
        #expect(!(try await identity.run(["server", "list"]).stdout.contains("b.example")))
        let perms = try await identity.run(["perm", "show"]).stdout
        #expect(perms.contains("wss://a.example ops -> act"))
        #expect(!perms.contains("b.example"))

        let unknown = try await identity.run(["server", "remove", "wss://c.example"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no registration for"))

        let empty = try await Identity().run(["server", "list"])
        #expect(empty.status == 0)
        #expect(empty.stdout.isEmpty)
        #expect(empty.stderr.contains("no servers registered"))
    }

    @Test func statusProbesEveryServerAndReportsPermissions() async throws {
        let alice = Identity()
        let nothing = try await alice.run(["status"])
        #expect(nothing.status == 0)
        #expect(nothing.stderr.contains("no servers registered"))
        #expect(nothing.stdout.isEmpty)

        var server = try await LiveServer.start()
        try await alice.register("aaron", machine: "workstation", on: server)
        #expect(try await alice.run(["perm", "set", "converse", "--server", server.url, "--channel", "ops"]).status == 0)
        let status = try await alice.run(["status"])
        #expect(status.status == 0)
        for text in [server.url, "aaron/workstation", "reachable", "0 other sessions online", "ops", "converse"] {
            #expect(status.stdout.contains(text), "missing \(text) in \(status.stdout)")
        }
        let json = try JSONOutput.object(try await alice.run(["status", "--json"]).stdout)
        let servers = try #require(json["servers"] as? [[String: Any]])
        #expect(servers.first?["reachable"] as? Bool == true)
        #expect(servers.first?["sessions_online"] as? Int == 0)
        let permissions = try #require(json["permissions"] as? [String: Any])
        #expect(permissions["default"] as? String == "notify")

        _ = await server.process.stop()
        let down = try await alice.run(["status"])
        #expect(down.status == 1)
        #expect(down.stdout.contains("unreachable"))
        #expect(down.stderr.contains("1 server(s) unreachable"))
        server = try await server.restarted()
        #expect(try await alice.run(["status"]).status == 0)
    }

    @Test func statusProbesInParallelWithAShortTimeout() async throws {
        let server = try await LiveServer.start()
        let alice = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        let hung1 = try SilentListener()
        let hung2 = try SilentListener()
        try alice.config.write(try alice.config.read("config.toml") + """

            [[servers]]
            url = "\(hung1.url)"
            username = "alice"
            machine = "ws"

            [[servers]]
            url = "\(hung2.url)"
            username = "alice"
            machine = "ws"
            """, to: "config.toml")
        // Parallel probes reach both hung servers together; one after the other, the second would
        // be reached only after the first's 5 s timeout. The gap between the two arrivals tells
        // which, however slow this machine is.
        let probe = try BackgroundProcess(["--config-dir", alice.config.path, "status"])
        var arrivals: [ContinuousClock.Instant?] = [nil, nil]
        let deadline = ContinuousClock.now + .seconds(30)
        while probe.isRunning, ContinuousClock.now < deadline {
            for (index, listener) in [hung1, hung2].enumerated() where arrivals[index] == nil && listener.hasPendingConnection {
                arrivals[index] = .now
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await probe.exitStatus(timeout: .seconds(15)) == 1)
        // The output is read on its own threads: wait for it rather than race the exit.
        #expect(await probe.stderr.first(containing: "2 server(s) unreachable", timeout: .seconds(10)) != nil)
        let lines = await probe.stdout.waitForCount(4, timeout: .seconds(10))
        try #require(lines.count >= 4, "\(lines)")
        #expect(lines[1].contains(server.url) && lines[1].contains("reachable"))
        #expect(lines[2].contains(hung1.url) && lines[2].contains("timed out after 5 s"), "\(lines[2])")
        let first = try #require(arrivals[0]), second = try #require(arrivals[1])
        let gap = first < second ? first.duration(to: second) : second.duration(to: first)
        #expect(gap < .seconds(2.5), "the probes reached the servers \(gap) apart: one after the other")
        // The listeners must stay open until the probes are done.
        withExtendedLifetime((hung1, hung2)) {}
    }
}
