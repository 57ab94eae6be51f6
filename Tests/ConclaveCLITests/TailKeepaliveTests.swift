@testable import ConclaveCLI
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import ConclaveClient
import Synchronization
import Testing

/// `tail`'s keepalive against a scripted server (the production `TailStream`, shorter
/// intervals): it pings on its interval, and a server that goes silent is given up on after the
/// silence limit, so a half-open connection is noticed (CLI.md, "`tail` in detail").
@Suite("tail keepalive (scripted server)")
struct TailKeepaliveTests {
    final class Record: Sendable {
        let pings = Atomic<Int>(0)
    }

    /// Authenticates anyone, answers `Join` with `Joined`, and answers pings when `answer` is set.
    static func script(_ record: Record, answer: Bool) -> @Sendable (ServerConnection) async -> Void {
        { connection in
            var frames = connection.inbound.makeAsyncIterator()
            guard await ScriptedServer.acceptHandshake(on: connection, frames: &frames, user: "bob") else { return }
            while case let .message(frame)? = try? await frames.next() {
                switch frame {
                case let .join(channel, _):
                    await connection.output.send(.joined(channel: channel))
                case .ping:
                    record.pings.add(1, ordering: .relaxed)
                    if answer { await connection.output.send(.pong) }
                default:
                    continue
                }
            }
        }
    }

    static func stream(ping: Duration, silence: Duration) -> TailStream {
        TailStream(
            channel: "ops", token: nil, printer: TailPrinter(json: true), state: TailState(feed: TailFeed(sinceMs: nil, nowMs: 0)), trust: { _ in nil },
            url: "scripted", pingInterval: ping, silenceLimit: silence)
    }

    @Test func tailPingsOnItsInterval() async throws {
        let record = Record()
        try await ScriptedServer.with(Self.script(record, answer: true)) { url in
            let client = ControlClient(url: url, key: try SigningKey.generate(), session: "t")
            let stream = Self.stream(ping: .milliseconds(100), silence: .seconds(30))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await client.withSession { session in try await stream.run(&session) } }
                let deadline = ContinuousClock.now + .seconds(30)
                while record.pings.load(ordering: .relaxed) < 5, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(20))
                }
                group.cancelAll()
            }
        }
        #expect(record.pings.load(ordering: .relaxed) >= 5)
    }

    @Test func aSilentServerEndsTheConnectionAfterTheSilenceLimit() async throws {
        let record = Record()
        let outcome = try await ScriptedServer.with(Self.script(record, answer: false)) { url -> String in
            let client = ControlClient(url: url, key: try SigningKey.generate(), session: "t")
            let stream = Self.stream(ping: .milliseconds(100), silence: .milliseconds(1500))
            do {
                try await client.withSession { session in try await stream.run(&session) }
                return "returned"
            } catch is TailStream.Fatal {
                return "fatal"
            } catch {
                // A lost connection: `tail` reconnects after this.
                return "lost: \(error)"
            }
        }
        #expect(outcome.hasPrefix("lost: "), "\(outcome)")
        #expect(outcome.contains("keepalive"), "\(outcome)")
        #expect(record.pings.load(ordering: .relaxed) >= 1)
    }
}
