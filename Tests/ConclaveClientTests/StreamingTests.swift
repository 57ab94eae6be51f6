import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import Synchronization
import Testing

/// `ControlSession.stream`: the one streaming loop of the client side (tail, approve, send
/// --wait, the bridge's links), against a scripted server.
@Suite("Streaming sessions: keepalive, silence and deadlines")
struct StreamingTests {
    /// Authenticates anyone, counts the pings it gets, and sends `pushes` once a first ping came.
    static func server(pings: PingCount, pushes: [ProtocolMessage], answerPings: Bool) -> @Sendable (ServerConnection) async -> Void {
        { connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard await ScriptedServer.acceptHandshake(on: connection, frames: &frames) else { return }
            while case let .message(frame)? = try? await frames.next() {
                guard frame == .ping else { continue }
                if pings.value.add(1, ordering: .relaxed).newValue == 1 {
                    for push in pushes { await connection.output.send(push) }
                }
                if answerPings { await connection.output.send(.pong) }
            }
        }
    }

    static func client(_ url: ServerURL) throws -> ControlClient {
        ControlClient(url: url, key: try SigningKey.generate(), session: "stream-1")
    }

    @Test func framesReachTheHandlerInOrderWhilePingsKeepTheConnectionAlive() async throws {
        let pings = PingCount()
        let pushes: [ProtocolMessage] = (0..<3).map {
            .channelMessage(channel: "c", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain("\($0)"))
        }
        let seen = try await ScriptedServer.with(Self.server(pings: pings, pushes: pushes, answerPings: true)) { url in
            try await Self.client(url).withSession { session in
                var seen: [String] = []
                return try await session.stream(pingEvery: .milliseconds(100), silenceLimit: .seconds(5)) { _, frame -> [String]? in
                    guard case let .channelMessage(_, _, .plain(text)) = frame else { return nil }
                    seen.append(text)
                    return seen.count == 3 ? seen : nil
                }
            }
        }
        #expect(seen == ["0", "1", "2"])
        #expect(pings.value.load(ordering: .relaxed) >= 1)
    }

    @Test func aServerThatGoesSilentIsLeftAfterTheSilenceLimit() async throws {
        let pings = PingCount()
        let started = ContinuousClock.now
        await #expect {
            try await ScriptedServer.with(Self.server(pings: pings, pushes: [], answerPings: false)) { url in
                try await Self.client(url).withSession { session in
                    _ = try await session.stream(pingEvery: .milliseconds(100), silenceLimit: .milliseconds(600)) { _, _ -> Bool? in nil }
                }
            }
        } throws: { error in
            guard case TransportError.timedOut = error else { return false }
            return true
        }
        // Pings went out (several per silence limit) and did not count as hearing from the server.
        #expect(pings.value.load(ordering: .relaxed) >= 3)
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test func aDeadlineEndsTheStreamWithoutAResultEvenWhileTheServerAnswers() async throws {
        let pings = PingCount()
        let started = ContinuousClock.now
        let result = try await ScriptedServer.with(Self.server(pings: pings, pushes: [], answerPings: true)) { url in
            try await Self.client(url).withSession { session in
                try await session.stream(pingEvery: .milliseconds(100), silenceLimit: .seconds(5), until: .now + .milliseconds(700)) { _, _ -> Bool? in nil }
            }
        }
        #expect(result == nil)
        #expect(started.duration(to: .now) >= .milliseconds(700))
        #expect(pings.value.load(ordering: .relaxed) >= 2)
    }
}

/// Pings the scripted server received.
final class PingCount: Sendable {
    let value = Atomic<Int>(0)
}

extension StreamingTests {
    /// A push that arrives while a streaming user waits for a reply is not lost: `approve`
    /// answering one permission prompt must still see the next one that came meanwhile.
    @Test func aPushThatArrivesDuringARequestReachesTheStreamAfterIt() async throws {
        let other = SessionPath(user: "v", machine: "w", session: "x")
        @Sendable func push(_ text: String) -> ProtocolMessage { .whisper(from: other, target: other, payload: .plain(text)) }
        let seen = try await ScriptedServer.with({ connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard await ScriptedServer.acceptHandshake(on: connection, frames: &frames) else { return }
            await connection.output.send(push("first"))
            while case let .message(frame)? = try? await frames.next() {
                guard case .whisper = frame else { continue }
                // The reply comes after another push: the request must skip it but keep it.
                await connection.output.send(push("during the request"))
                await connection.output.send(push("and another"))
                await connection.output.send(.ack(detail: nil))
            }
        }) { url in
            try await Self.client(url).withSession { session in
                var seen: [String] = []
                return try await session.stream(pingEvery: .seconds(5), silenceLimit: .seconds(5)) { session, frame -> [String]? in
                    guard case let .whisper(_, _, .plain(text)) = frame else { return nil }
                    seen.append(text)
                    if seen.count == 1 {
                        let reply = try await session.request(.whisper(from: session.path, target: other, payload: .plain("answer")))
                        seen.append("reply: \(reply.name)")
                    }
                    return seen.count == 4 ? seen : nil
                }
            }
        }
        #expect(seen == ["first", "reply: Ack", "during the request", "and another"])
    }
}
