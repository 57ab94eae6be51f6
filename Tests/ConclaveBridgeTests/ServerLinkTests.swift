@testable import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import ConclaveClient
import Foundation
import Synchronization
import Testing

/// The bridge's link against a scripted server: keepalive pings, the silence limit that notices
/// a half-open connection, and reconnecting after it (BRIDGE.md, "ServerLink"). Durations are
/// shortened through the link's own parameters; the behaviour is the production code's.
@Suite("ServerLink keepalive, reconnection and duplicate servers (scripted server)")
struct ServerLinkTests {
    /// What the scripted server saw.
    final class Record: Sendable {
        let connections = Atomic<Int>(0)
        let pings = Atomic<Int>(0)
    }

    /// Authenticates anyone, then answers pings with `Pong` when `answer` is set (else stays silent).
    static func script(_ record: Record, answer: Bool) -> @Sendable (ServerConnection) async -> Void {
        { connection in
            record.connections.add(1, ordering: .relaxed)
            var frames = connection.inbound.makeAsyncIterator()
            guard await ScriptedServer.acceptHandshake(on: connection, frames: &frames, user: "aaron", machine: "ws") else { return }
            while case let .message(frame)? = try? await frames.next() {
                guard frame == .ping else { continue }
                record.pings.add(1, ordering: .relaxed)
                if answer { await connection.output.send(.pong) }
            }
        }
    }

    /// Runs a link to `url`, pinging every `keepalive`, until `done` holds or 30 s pass (a
    /// loaded machine is slow to start, which must not fail the test).
    static func runLink(
        to url: ServerURL, keepalive: Duration, silenceLimit: Duration, until done: @escaping @Sendable () -> Bool
    ) async throws {
        let core = BridgeCore(
            config: ClientConfig(), registrations: [Registration(url: url.text, username: "aaron", machine: "ws")],
            handle: SessionHandle(base: "link", isExplicit: true), configFile: nil, write: { _ in })
        let link = ServerLink(
            url: url, rank: 0, signingKey: try SigningKey.generate(),
            knownKeys: KnownKeys(path: NSTemporaryDirectory() + "conclave-link-\(UUID().uuidString)/known_keys"), core: core,
            claims: ServerIdentityClaims(),
            keepalive: keepalive, silenceLimit: silenceLimit,
            backoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: 0, stableAfter: .seconds(30)))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await link.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while !done(), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }

    @Test func anAnsweredLinkPingsOnItsIntervalAndStaysUp() async throws {
        let record = Record()
        try await ScriptedServer.with(Self.script(record, answer: true)) { url in
            try await Self.runLink(to: url, keepalive: .milliseconds(100), silenceLimit: .seconds(30)) {
                record.pings.load(ordering: .relaxed) >= 10
            }
        }
        // Ten pings, every one answered, over one connection that was never given up.
        #expect(record.pings.load(ordering: .relaxed) >= 10)
        #expect(record.connections.load(ordering: .relaxed) == 1)
    }

    /// A server that accepted the connection and then says nothing (a half-open link) is given
    /// up on after the silence limit, and the link connects again.
    @Test func aSilentServerIsLeftAfterTheSilenceLimitAndReconnectedTo() async throws {
        let record = Record()
        try await ScriptedServer.with(Self.script(record, answer: false)) { url in
            try await Self.runLink(to: url, keepalive: .milliseconds(100), silenceLimit: .milliseconds(400)) {
                record.connections.load(ordering: .relaxed) >= 2
            }
        }
        #expect(record.connections.load(ordering: .relaxed) >= 2, "the link never gave up on the silent server")
        #expect(record.pings.load(ordering: .relaxed) >= 2)
    }

    /// Two registrations that are one server under two spellings: the upgrade's server ID gives
    /// it away, and the one listed later is disabled while the first stays linked.
    @Test func twoSpellingsOfOneServerAreLinkedOnce() async throws {
        let record = Record()
        try await ScriptedServer.with(Self.script(record, answer: true)) { url in
            let other = try ServerURL("ws://localhost:\(url.port)/")
            let core = BridgeCore(
                config: ClientConfig(),
                registrations: [url, other].map { Registration(url: $0.text, username: "aaron", machine: "ws") },
                handle: SessionHandle(base: "link", isExplicit: true), configFile: nil, write: { _ in })
            let claims = ServerIdentityClaims()
            let key = try SigningKey.generate()
            let knownKeys = KnownKeys(path: NSTemporaryDirectory() + "conclave-link-\(UUID().uuidString)/known_keys")
            await withTaskGroup(of: Void.self) { group in
                for (rank, target) in [url, other].enumerated() {
                    let link = ServerLink(
                        url: target, rank: rank, signingKey: key, knownKeys: knownKeys, core: core, claims: claims,
                        backoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: 0, stableAfter: .seconds(30)))
                    group.addTask { await link.run() }
                }
                let deadline = ContinuousClock.now + .seconds(30)
                while await core.isUsable(other.text), ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                group.cancelAll()
            }
            #expect(await core.isUsable(url.text))
            #expect(await !core.isUsable(other.text))
        }
    }
}
