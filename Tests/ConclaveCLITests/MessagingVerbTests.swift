import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation
import Testing

@Suite("send and tail (real server)")
struct MessagingVerbTests {
    /// Two registered people and a public channel `watch`.
    private func setUp(limits: [String] = []) async throws -> (LiveServer, Identity, Identity) {
        let server = try await LiveServer.start(limits: limits)
        let aaron = try await Identity.registered("aaron", machine: "workstation", on: server)
        let bob = try await Identity.registered("bob", machine: "laptop", on: server)
        #expect(try await aaron.run(["channel", "create", "watch"]).status == 0)
        return (server, aaron, bob)
    }

    @Test func tailPrintsWhatAnotherIdentitySends() async throws {
        let (server, aaron, bob) = try await setUp()
        defer { withExtendedLifetime(server) {} }
        let tail = try bob.start(["tail", "--channel", "watch"])
        let banner = try #require(await tail.stderr.first(containing: "tailing #watch as bob/laptop/"), "\(tail.stderr.all)")
        #expect(banner.hasSuffix("— Ctrl-C to stop"))

        let sent = try await aaron.run(["send", "--channel", "watch", "hello from the plain CLI"])
        #expect(sent.stdout.range(of: #"^✓ sent to watch \(id \d+\)\n$"#, options: .regularExpression) != nil, "\(sent.stdout)")
        let line = try #require(await tail.stdout.first(containing: "hello from the plain CLI"))
        // Signed by aaron's machine and checked by bob's tail (its key pinned on first use).
        #expect(line.contains("[watch] ✓ aaron/workstation/cli-"), "\(line)")
        let pins = try String(contentsOfFile: bob.config.path + "/known_keys", encoding: .utf8)
        #expect(pins.contains(" aaron workstation "))
        let mode = try FileManager.default.attributesOfItem(atPath: bob.config.path + "/known_keys")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        // bob can compare what he pinned with what the server lists, and forget a pin.
        let aaronKey = try KeyStore(directory: ConfigDirectory(path: aaron.config.path)).load().publicKey.text
        let listed = try JSONOutput.objects(try await bob.run(["known-keys", "list", "--json"]).stdout)
        #expect(listed.map { $0["user"] as? String } == ["aaron"] && listed.first?["pubkey"] as? String == aaronKey)
        let checked = try JSONOutput.objects(try await bob.run(["known-keys", "check", "aaron", "--json"]).stdout)
        #expect(checked.first?["pinned"] as? String == aaronKey && checked.first?["pubkey"] as? String == aaronKey)
        #expect(try await bob.run(["known-keys", "forget", "aaron/workstation"]).stdout.hasPrefix("✓ forgot 1 pinned key(s)"))
        #expect(try await bob.run(["known-keys", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(try await bob.run(["known-keys", "forget", "aaron/workstation"]).status == 1)
        #expect(line.range(of: #"^\d\d:\d\d:\d\d "#, options: .regularExpression) != nil)

        // From standard input, with terminal control characters made visible.
        let piped = try await aaron.run(["send", "--channel", "watch"], stdin: Data("two\nlines\u{1B}[2J\n".utf8))
        #expect(piped.status == 0)
        #expect(await tail.stdout.first(containing: #"two\nlines\u{1b}[2J"#) != nil)
        let empty = try await aaron.run(["send", "--channel", "watch"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("empty"))
        let notAMember = try await aaron.run(["send", "--channel", "nowhere", "hi"])
        #expect(notAMember.status == 1)
        #expect(notAMember.stderr.contains("join rejected"))

        #expect(await tail.stop(with: SIGINT) == 0)
    }

    @Test func serveLimitsAreSetFromTheCommandLineAndRefusalsSayWhenToRetry() async throws {
        let (server, aaron, _) = try await setUp(limits: ["post-rate=2/min"])
        defer { withExtendedLifetime(server) {} }
        // `send` is one session per process: the per-session limit does not carry over...
        for index in 0..<3 {
            #expect(try await aaron.run(["send", "--channel", "watch", "note \(index)"]).status == 0)
        }
        // ...while a user-wide limit does.
        let strict = try await LiveServer.start(limits: ["user-post-rate=2/min"])
        defer { withExtendedLifetime(strict) {} }
        let carol = Identity()
        try await carol.register("carol", machine: "desk", on: strict)
        #expect(try await carol.run(["channel", "create", "news"]).status == 0)
        for index in 0..<2 {
            #expect(try await carol.run(["send", "--channel", "news", "item \(index)"]).status == 0)
        }
        let refused = try await carol.run(["send", "--channel", "news", "one too many"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("rate limited: posts from user `carol` exceed 2/min; retry in"))

        let bad = try await CLIProcess.run(["serve", "--ephemeral", "--bind", "127.0.0.1:0", "--limit", "posts=1/s"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown limit `posts`"))
    }

    @Test func tailSinceReplaysTheWholeBacklogInOrderThenStreams() async throws {
        // Hundreds of posts in a burst: more than the default flood limits allow.
        let (server, aaron, bob) = try await setUp(limits: ["post-rate=off", "user-post-rate=off"])
        // More than one history page (500) of messages, posted in-process for speed.
        let count = 620
        let key = try KeyStore(directory: ConfigDirectory(path: aaron.config.path)).load()
        let client = ControlClient(url: try ServerURL(server.url), key: key, session: "bulk")
        try await client.withSession { session in
            #expect(try await session.request(.join(channel: "watch", token: nil)) == .joined(channel: "watch"))
            for index in 0..<count {
                let reply = try await session.request(.channelMessage(channel: "watch", from: session.path, payload: .plain("backlog \(index)")))
                guard case .ack = reply else { throw LiveServerError(detail: "post \(index) refused: \(reply)") }
            }
        }
        let tail = try bob.start(["tail", "--channel", "watch", "--since", "1h", "--json"])
        let lines = await tail.stdout.waitForCount(count, timeout: .seconds(30))
        let texts = try lines.map { try JSONOutput.object($0)["text"] as? String }
        #expect(texts == (0..<count).map { "backlog \($0)" })
        let first = try JSONOutput.object(try #require(lines.first))
        #expect(first["type"] as? String == "message")
        #expect(first["replayed"] as? Bool == true)
        #expect(first["from"] as? String == "aaron/workstation/bulk")
        // Posted without the signatures extension, as a reference client would: shown, unverified.
        #expect(first["provenance"] as? String == "unverified")

        #expect(try await aaron.run(["send", "--channel", "watch", "live one"]).status == 0)
        let all = await tail.stdout.waitForCount(count + 1)
        let live = try JSONOutput.object(try #require(all.last))
        #expect(live["text"] as? String == "live one")
        #expect(live["replayed"] as? Bool == false)
        #expect(live["provenance"] as? String == "verified")
        #expect(await tail.stop(with: SIGINT) == 0)

        // Read back from history by a fresh tail, the signed post still verifies.
        let again = try bob.start(["tail", "--channel", "watch", "--since", "1h", "--json"])
        let replayed = await again.stdout.waitForCount(count + 1, timeout: .seconds(30))
        let signed = try JSONOutput.object(try #require(replayed.last))
        #expect(signed["text"] as? String == "live one" && signed["replayed"] as? Bool == true)
        #expect(signed["provenance"] as? String == "verified")
        #expect(await again.stop(with: SIGINT) == 0)
    }

    @Test func tailSurvivesAServerRestartWithoutRepeatingLines() async throws {
        var (server, aaron, bob) = try await setUp()
        #expect(try await aaron.run(["send", "--channel", "watch", "before the restart"]).status == 0)
        let tail = try bob.start(["tail", "--channel", "watch", "--since", "1h"])
        #expect(await tail.stdout.first(containing: "before the restart") != nil)

        server = try await server.restarted()
        #expect(await tail.stderr.first(containing: "reconnecting") != nil)
        #expect(await tail.stderr.first(containing: "✓ reconnected; resuming #watch", timeout: .seconds(30)) != nil)
        #expect(try await aaron.run(["send", "--channel", "watch", "after the restart"]).status == 0)
        #expect(await tail.stdout.first(containing: "after the restart") != nil)
        #expect(tail.stdout.all.filter { $0.contains("before the restart") }.count == 1)
        #expect(await tail.stop(with: SIGINT) == 0)
    }

    @Test func tailRefusesToEvictALiveSessionAndFailsFastBeforeItsFirstJoin() async throws {
        let (server, _, bob) = try await setUp()
        let first = try bob.start(["tail", "--channel", "watch", "--as", "agent"])
        #expect(await first.stderr.first(containing: "tailing #watch") != nil)
        let second = try await bob.run(["tail", "--channel", "watch", "--as", "agent"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("already live"))
        #expect(first.isRunning)

        let missing = try await bob.run(["tail", "--channel", "nowhere"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("join rejected"))
        _ = await server.process.stop()
        let unreachable = try await bob.run(["tail", "--channel", "watch"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("could not connect to \(server.url)"))
    }

    @Test func tailIntoAClosedPipeEndsQuietly() async throws {
        let (server, aaron, bob) = try await setUp()
        // `timeout` bounds the pipeline if the tail failed to notice the closed pipe.
        let script = """
            timeout 30 "$0" --config-dir "$1" tail --server "$2" --channel watch | head -n 1
            echo "status=${PIPESTATUS[0]}" >&2
            """
        let arguments = ["-c", script, CLIProcess.executable.path, bob.config.path, server.url]
        let result = try await withThrowingTaskGroup(of: CLIProcess.Result?.self) { group in
            group.addTask {
                try await CLIProcess.runExecutable(URL(fileURLWithPath: "/bin/bash"), arguments)
            }
            // The first message satisfies `head`; the next line written finds the pipe closed.
            group.addTask {
                for attempt in 0..<120 {
                    try await Task.sleep(for: .milliseconds(250))
                    _ = try await aaron.run(["send", "--channel", "watch", "ping \(attempt)"])
                }
                return nil
            }
            while let finished = try await group.next() {
                if let finished {
                    group.cancelAll()
                    return finished
                }
            }
            throw LiveServerError(detail: "the pipeline did not finish")
        }
        // The banner is a note on stderr; stdout holds only the channel's lines.
        #expect(result.stdout.contains("[watch]"))
        #expect(!result.stdout.contains("tailing #watch"))
        #expect(result.stderr.contains("status=141"))
        #expect(!result.stderr.contains("❌"))
    }
}
