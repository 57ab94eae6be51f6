@testable import ConclaveBridge
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import Foundation
import Synchronization
import Testing

/// A hostile server double for an encrypted channel: asked for the members' keys, it swaps one
/// member's X25519 key for its own (announced under its own signing key). A real bridge, through
/// its real link, must seal its post only to the members whose keys check out, say who cannot
/// read it, and never give the server anything that opens the post.
@Suite("A hostile server cannot slip its own key into an encrypted channel")
struct HostileKeyServerTests {
    static let serverID = "test-server-id"

    /// What the server double saw the bridge send.
    final class Seen: Sendable {
        let frames = Mutex<[ProtocolMessage]>([])
    }

    /// Answers the bridge's requests like a server whose only lie is the member list.
    static func script(_ seen: Seen, members: [MemberMachine]) -> @Sendable (ServerConnection) async -> Void {
        { connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard await ScriptedServer.acceptHandshake(on: connection, frames: &frames, user: "aaron", machine: "ws") else { return }
            while case let .message(frame)? = try? await frames.next() {
                seen.frames.withLock { $0.append(frame) }
                let reply: ProtocolMessage? = switch frame {
                case .ping: .pong
                case .publishAgreement, .shareChannelKey, .signedPost, .channelMessage: .ack(detail: nil)
                case .listEncrypted: .encryptedChannels(channels: ["vault"])
                case let .join(channel, _): .joined(channel: channel)
                case .listChannels: .channelList(channels: [])
                case .memberKeysQuery: .memberKeys(channel: "vault", encrypted: true, members: members)
                default: nil
                }
                if let reply { await connection.output.send(reply) }
            }
        }
    }

    @Test func thePostIsSealedOnlyToMembersWhoseKeysCheckOut() async throws {
        let bob = try TestMachine("bob", "laptop", serverID: Self.serverID)
        let carol = try TestMachine("carol", "box", serverID: Self.serverID)
        let server = try TestMachine("mallory", "server", serverID: Self.serverID)
        // bob's X25519 key swapped for the server's, announced under the server's signing key.
        var swapped = bob.listed
        swapped.agreement = AgreementAnnouncement.make(
            for: server.agreement, signedBy: server.signing, serverID: Self.serverID, user: "bob", machine: "laptop", nowMs: 2)
        let seen = Seen()
        let written = Mutex<[JSONValue]>([])
        let directory = NSTemporaryDirectory() + "conclave-hostile-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await ScriptedServer.with(Self.script(seen, members: [swapped, carol.listed])) { url in
            let core = BridgeCore(
                config: ClientConfig(defaultPermission: .converse), registrations: [Registration(url: url.text, username: "aaron", machine: "ws")],
                handle: SessionHandle(base: "agent", isExplicit: true), configFile: nil, write: { message in written.withLock { $0.append(message) } })
            await core.handle(.request(id: 0, method: "initialize", params: ["protocolVersion": "2025-06-18"]))
            await core.handle(.notification(method: "notifications/initialized", params: .null))
            let link = ServerLink(
                url: url, rank: 0, signingKey: try SigningKey.generate(), knownKeys: KnownKeys(path: directory + "/known_keys"),
                directory: ConfigDirectory(path: directory), core: core, claims: ServerIdentityClaims())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await link.run() }
                try await Self.waitFor { seen.frames.withLock { $0.contains(.listEncrypted) } }
                await core.handle(.request(id: 1, method: "tools/call", params: ["name": "join_channel", "arguments": ["channel": "vault"]]))
                try await Self.waitFor { written.withLock { $0.contains { $0["id"] == 1 } } }
                await core.handle(.request(id: 2, method: "tools/call", params: [
                    "name": "send_channel", "arguments": ["channel": "vault", "text": "the vault code is 0451"],
                ]))
                try await Self.waitFor { written.withLock { $0.contains { $0["id"] == 2 } } }
                group.cancelAll()
            }
        }
        let frames = seen.frames.withLock { $0 }
        guard case let .shareChannelKey(_, shares)? = frames.first(where: { if case .shareChannelKey = $0 { true } else { false } }) else {
            Issue.record("no key shares were sent: \(frames.map(\.name))")
            return
        }
        #expect(shares.map(\.recipient) == ["carol/box"], "sealed to a key the server substituted")
        let post = frames.compactMap { frame -> Payload? in
            if case let .signedPost("vault", payload, _) = frame { return payload }
            if case let .channelMessage("vault", _, payload) = frame { return payload }
            return nil
        }.first
        #expect(post?.isEncrypted == true)
        // Nothing the server saw holds the text.
        #expect(!frames.contains { "\($0)".contains("0451") })
        let said = written.withLock { $0 }.compactMap { $0["params"]?["content"]?.stringValue }
        #expect(said.contains { $0.contains("not readable by bob/laptop") && $0.contains("not signed by its machine key") }, "\(said)")
        // carol, with her own keys, opens it.
        let carolChannels = carol.channels
        #expect(try carolChannels.accept(shares.map { SharedChannelKey(sender: "aaron/ws", key: $0) }, in: "vault").isEmpty)
        let sender = SessionPath(user: "aaron", machine: "ws", session: "agent")
        #expect(carolChannels.open(try #require(post), in: "vault", from: sender) == "the vault code is 0451")
    }

    /// Polls `condition` for up to 30 s (a loaded machine is slow to connect).
    static func waitFor(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }
}
