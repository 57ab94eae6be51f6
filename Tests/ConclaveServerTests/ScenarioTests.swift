@testable import ConclaveServer
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Logging
import Synchronization
import Testing
import ConclaveStorage
import ConclaveSQLite

@Suite("A whole deployment, and what the logs may contain")
struct ScenarioTests {
    /// The issue's "done when": two people, each with their own key, do everything over loopback.
    @Test func twoPeopleDoEverythingOverLoopback() async throws {
        try await TestServer.with { server in
            let aaronKey = try newKey()
            let laptopKey = try newKey()
            let davidKey = try newKey()
            try await server.peer(key: aaronKey, session: "razel", register: "aaron", machine: "workstation") { (aaron) async throws in
                #expect(try await aaron.request(.admin(.machineAdd(name: "laptop", pubkey: laptopKey.publicKey.bytes))) == .ack(detail: "laptop"))
                #expect(try await aaron.request(.admin(.createChannel(name: "ops", visibility: .private))) == .ack(detail: "ops"))
                guard case let .inviteToken(token) = try await aaron.request(.admin(.inviteCreate(channel: "ops", uses: 1, expiresInSecs: 3600))) else {
                    Issue.record("no invite"); return
                }
                #expect(try await aaron.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                try await server.peer(key: davidKey, session: "fleet", register: "david", machine: "box") { (david) async throws in
                    #expect(try await david.request(.join(channel: "ops", token: token)) == .joined(channel: "ops"))
                    try await server.peer(key: laptopKey, session: "mobile") { (laptop) async throws in
                        #expect(laptop.path == SessionPath(user: "aaron", machine: "laptop", session: "mobile"))
                        #expect(try await laptop.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                        guard case let .presence("ops", present) = try await david.request(.who(channel: "ops")) else { Issue.record("the reply was not the one this test expects"); return }
                        #expect(Set(present) == [aaron.path, david.path, laptop.path])

                        #expect(try await david.request(.channelMessage(channel: "ops", from: david.path, payload: .plain("deploy?"))) == .ack(detail: nil))
                        #expect(try await aaron.next() == .channelMessage(channel: "ops", from: david.path, payload: .plain("deploy?")))
                        #expect(try await laptop.next() == .channelMessage(channel: "ops", from: david.path, payload: .plain("deploy?")))
                        #expect(try await aaron.request(.whisper(from: aaron.path, target: david.path, payload: .plain("yes"))) == .ack(detail: nil))
                        #expect(try await david.next() == .whisper(from: aaron.path, target: david.path, payload: .plain("yes")))

                        guard case let .history(_, messages) = try await laptop.request(.readSince(channel: "ops", sinceMs: 0)) else { Issue.record("the reply was not the one this test expects"); return }
                        #expect(messages.map(\.payload) == [.plain("deploy?")])

                        #expect(try await aaron.request(.admin(.ban(channel: "ops", user: "david"))) == .ack(detail: "david"))
                        guard case .whisper = try await david.next() else { Issue.record("david was not told"); return }
                        #expect(try await david.request(.join(channel: "ops", token: token)) == .error(.notFound("channel `ops` not found")))
                    }
                }
            }
        }
    }

    /// Bodies, tokens and keys never reach the log, even at trace level.
    @Test func secretsNeverReachTheLog() async throws {
        let captured = LogCapture()
        var logger = Logger(label: "conclave.test") { _ in captured }
        logger.logLevel = .trace
        let hub = Hub(store: try SQLiteStore.inMemory(), admins: AdminAllowlist(), logger: logger)
        let alice = ServerSession(path: SessionPath(user: "alice", machine: "m", session: "s"), isAdmin: false, output: FrameQueue(capacity: 64), now: .now)
        await hub.attach(alice)
        _ = await hub.handle(.admin(.createChannel(name: "ops", visibility: .private)), from: alice)
        _ = await hub.handle(.join(channel: "ops", token: nil), from: alice)
        guard case let .inviteToken(token)? = await hub.handle(.admin(.inviteCreate(channel: "ops", uses: nil, expiresInSecs: nil)), from: alice) else {
            Issue.record("no token"); return
        }
        _ = await hub.handle(.channelMessage(channel: "ops", from: alice.path, payload: .plain("TOP-SECRET-BODY")), from: alice)
        _ = await hub.handle(.join(channel: "missing", token: token), from: alice)
        _ = await hub.handle(.admin(.inviteRevoke(token: token)), from: alice)
        let key = try newKey()
        _ = await hub.handle(.admin(.machineAdd(name: "laptop", pubkey: key.publicKey.bytes)), from: alice)
        let text = captured.text
        #expect(text.contains("session established"))
        #expect(text.contains("alice/m/s"))
        #expect(!text.contains("TOP-SECRET-BODY"))
        #expect(!text.contains(token))
        #expect(!text.contains(key.publicKey.text))
    }
}

/// A log handler that keeps everything it is given.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
