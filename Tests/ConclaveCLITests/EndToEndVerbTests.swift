import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// End-to-end encrypted channels through the real binaries and server: `channel create --e2e`,
/// `send` sealing for the members' machines, `tail` opening it, and a server whose store never
/// holds the text.
@Suite("End-to-end encrypted channels (real server)")
struct EndToEndVerbTests {
    /// The bytes of every file in the server's data directory (database, WAL).
    static func storeBytes(_ server: LiveServer) throws -> Data {
        let directory = server.dataDirectory.path
        var all = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { all += data }
        }
        return all
    }

    /// A server with aaron and bob registered.
    static func twoPeople() async throws -> (LiveServer, Identity, Identity) {
        let server = try await LiveServer.start()
        let aaron = try await Identity.registered("aaron", machine: "workstation", on: server)
        let bob = try await Identity.registered("bob", machine: "laptop", on: server)
        return (server, aaron, bob)
    }

    @Test func membersReadAnEncryptedChannelAndTheServerNeverHoldsItsText() async throws {
        let (server, aaron, bob) = try await Self.twoPeople()
        defer { withExtendedLifetime(server) {} }
        let carol = Identity()
        try await carol.register("carol", machine: "box", on: server)

        let created = try await aaron.run(["channel", "create", "vault", "--e2e"])
        #expect(created.status == 0 && created.stdout == "✓ vault (private, end-to-end encrypted)\n", "\(created.stderr)")
        let listed = try await aaron.run(["channel", "list", "--json"])
        let vault = try JSONOutput.objects(listed.stdout).first { $0["name"] as? String == "vault" }
        #expect(vault?["e2e"] as? Bool == true && vault?["visibility"] as? String == "private")
        #expect(try await aaron.run(["acl", "add", "--channel", "vault", "bob"]).status == 0)
        // carol is a member too, on a reference-protocol client: she sees a placeholder.
        #expect(try await aaron.run(["acl", "add", "--channel", "vault", "carol"]).status == 0)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/reference_tail.py").path
        let reference = try BackgroundProcess(
            ["python3", script, server.url, carol.config.path + "/key", "vault", "reftail"], executable: URL(fileURLWithPath: "/usr/bin/env"))
        defer { _ = reference }
        #expect(await reference.stdout.first(containing: "joined") != nil, "reference peer: \(reference.stderr.all.suffix(5))")

        // bob's tail announces his machine's key, so aaron's send can seal to it.
        let tail = try bob.start(["tail", "--channel", "vault", "--json"])
        #expect(await tail.stderr.first(containing: "tailing #vault") != nil, "\(tail.stderr.all)")
        let sent = try await aaron.run(["send", "--channel", "vault", "the launch code is 0451"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let line = try JSONOutput.object(try #require(await tail.stdout.first(containing: "\"text\"")))
        #expect(line["text"] as? String == "the launch code is 0451")
        #expect(line["encrypted"] as? Bool == true)
        #expect(line["provenance"] as? String == "verified")
        #expect(await tail.stop(with: SIGINT) == 0)
        #expect(await reference.stdout.first(containing: "encrypted") != nil, "\(reference.stdout.all)")
        #expect(!reference.stdout.all.contains { $0.contains("launch code") } && reference.isRunning)

        // The history replays it decrypted too.
        let replay = try bob.start(["tail", "--channel", "vault", "--since", "1h", "--json"])
        let replayed = try JSONOutput.object(try #require(await replay.stdout.first(containing: "\"text\"")))
        #expect(replayed["text"] as? String == "the launch code is 0451" && replayed["replayed"] as? Bool == true)
        #expect(await replay.stop(with: SIGINT) == 0)

        // A dump of the server's store: envelopes, keys sealed to machines, no text.
        #expect(try Self.storeBytes(server).range(of: Data("launch code".utf8)) == nil)

        // bob is removed; aaron's next post goes under a key bob's machine never receives. A
        // server that kept relaying to bob (here: bob's own files given the stored envelope)
        // still cannot make him read it.
        #expect(try await aaron.run(["acl", "remove", "--channel", "vault", "bob"]).status == 0)
        #expect(try await aaron.run(["send", "--channel", "vault", "after bob left"]).status == 0)
        let key = try KeyStore(directory: ConfigDirectory(path: aaron.config.path)).load()
        let client = ControlClient(url: try ServerURL(server.url), key: key, session: "reader", extensions: [.e2e])
        let envelopes: [HistoryMessage] = try await client.withSession { session in
            _ = try await session.request(.join(channel: "vault", token: nil))
            guard case let .history(_, messages) = try await session.request(.readSince(channel: "vault", sinceMs: 0)) else { return [] }
            return messages
        }
        let last = try #require(envelopes.last)
        let bobDirectory = ConfigDirectory(path: bob.config.path)
        let serverID = try #require(try await Self.serverID(of: server, key: key))
        let bobMachine = EndToEndChannels(
            serverID: serverID,
            path: SessionPath(user: "bob", machine: "laptop", session: "s"), signingKey: try KeyStore(directory: bobDirectory).load(),
            agreementKey: try KeyStore(directory: bobDirectory).loadOrCreateAgreementKey().key,
            knownKeys: KnownKeys(path: bobDirectory.knownKeysPath),
            keyrings: ChannelKeyringFile(path: EndToEndChannels.keyringPath(in: bobDirectory, serverID: serverID)))
        let first = try #require(envelopes.first)
        #expect(bobMachine.open(first.payload, in: "vault", from: first.from) == "the launch code is 0451")
        #expect(bobMachine.open(last.payload, in: "vault", from: last.from) == nil, "a removed member read a post made after it left")

        // A plain post to the channel is refused, whoever sends it.
        let plain = ControlClient(url: try ServerURL(server.url), key: key, session: "plain")
        let refused = try await plain.withSession { session in
            _ = try await session.request(.join(channel: "vault", token: nil))
            return try await session.request(.channelMessage(channel: "vault", from: session.path, payload: .plain("oops")))
        }
        guard case let .error(error) = refused else {
            Issue.record("a plain post reached an encrypted channel: \(refused)")
            return
        }
        #expect("\(error)".contains("end-to-end encrypted"))
    }

    static func serverID(of server: LiveServer, key: SigningKey) async throws -> String? {
        try await ControlClient(url: try ServerURL(server.url), key: key, session: "probe").withSession { $0.serverID }
    }

    @Test func theBridgeSealsWhatItsAgentPostsAndOpensWhatArrives() async throws {
        let (server, aaron, bob) = try await Self.twoPeople()
        defer { withExtendedLifetime(server) {} }
        #expect(try await aaron.run(["channel", "create", "vault", "--e2e"]).status == 0)
        #expect(try await aaron.run(["acl", "add", "--channel", "vault", "bob"]).status == 0)
        #expect(try await bob.run(["perm", "set", "converse", "--channel", "vault"]).status == 0)

        // bob's agent, through his bridge: joining announces his machine's key.
        let bridge = try BridgeProcess(bob, arguments: ["--as", "agent"])
        _ = try await bridge.initialize()
        #expect(try await bridge.call("join_channel", ["channel": "vault"]).text.hasPrefix("joined vault"))
        #expect(try await aaron.run(["send", "--channel", "vault", "rotate the keys at noon"]).status == 0)
        let pushed = try #require(await bridge.injection(containing: "rotate the keys at noon"), "the bridge did not open the envelope")
        let meta = ((pushed["params"] as? [String: Any])?["meta"] as? [String: String]) ?? [:]
        #expect(meta["provenance"] == "verified")

        // The agent answers; aaron's tail opens it, and the store holds neither text.
        let tail = try aaron.start(["tail", "--channel", "vault", "--since", "1h", "--json"])
        let sent = try await bridge.call("send_channel", ["channel": "vault", "text": "done, keys rotated"])
        #expect(!sent.isError, "\(sent.text)")
        #expect(await tail.stdout.first(containing: "done, keys rotated") != nil, "\(tail.stdout.all) \(tail.stderr.all)")
        #expect(await tail.stop(with: SIGINT) == 0)
        let history = try await bridge.call("catch_up", ["channel": "vault", "since": "1h"])
        #expect(history.text.contains("rotate the keys at noon") && history.text.contains("done, keys rotated"), "\(history.text)")
        let stored = try Self.storeBytes(server)
        #expect(stored.range(of: Data("keys at noon".utf8)) == nil && stored.range(of: Data("keys rotated".utf8)) == nil)
    }
}
