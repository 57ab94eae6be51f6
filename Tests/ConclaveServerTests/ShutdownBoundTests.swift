import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import ConclaveTransport
import ConclaveClient
import Foundation
import Logging
import Synchronization
import Testing
import ConclaveStorage
import ConclaveSQLite

/// A graceful shutdown ends within 5 s even when a client stopped reading with the server's
/// writes to it stuck on a full socket (it took 10.1 s), and every live session's connection
/// ends with it.
@Suite("Shutdown bound")
struct ShutdownBoundTests {
    @Test func shutdownEndsWithinFiveSecondsDespiteAClientThatStoppedReading() async throws {
        var settings = HubSettings()
        settings.limits = .unlimited
        let runtime = ServerRuntime(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, storage: SQLiteBackend.ephemeral, settings: settings),
            logger: Logger(label: "test"))
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let (stalledReady, stalledSink) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await runtime.run(handleSignals: false) { port in portSink.yield(port) }
                return "server"
            }
            var portIterator = ports.makeAsyncIterator()
            let port = try #require(await portIterator.next())
            let url = try ServerURL("ws://127.0.0.1:\(port)/")
            // The stalled reader: joins, then never reads again.
            group.addTask {
                let client = ControlClient(url: url, key: try SigningKey.generate(), session: "stalled")
                try await client.withSession(registration: .init(username: "stalled", machine: "m")) { session in
                    _ = try await session.request(.admin(.createChannel(name: "flood", visibility: .public)))
                    _ = try await session.request(.join(channel: "flood", token: nil))
                    stalledSink.yield()
                    try await Task.sleep(for: .seconds(60))
                }
                return "stalled"
            }
            var ready = stalledReady.makeAsyncIterator()
            _ = await ready.next()
            // Live, healthy sessions beside it: each must see its connection end too.
            let listeners = 20
            let ended = Counter()
            let (listening, listeningSink) = AsyncStream.makeStream(of: Void.self)
            for index in 0..<listeners {
                group.addTask {
                    let client = ControlClient(url: url, key: try SigningKey.generate(), session: "live")
                    try? await client.withSession(registration: .init(username: "live\(index)", machine: "m")) { session in
                        listeningSink.yield()
                        while true { _ = try await session.next(within: .seconds(60), waitingFor: "the end") }
                    }
                    ended.value.add(1, ordering: .relaxed)
                    return "listener"
                }
            }
            var listeningIterator = listening.makeAsyncIterator()
            for _ in 0..<listeners { _ = await listeningIterator.next() }
            // A publisher fills the stalled reader's socket buffers and queue.
            let publisher = ControlClient(url: url, key: try SigningKey.generate(), session: "pub")
            try await publisher.withSession(registration: .init(username: "publisher", machine: "m")) { session in
                _ = try await session.request(.join(channel: "flood", token: nil))
                let body = String(repeating: "x", count: 60_000)
                for _ in 0..<400 { _ = try await session.request(.channelMessage(channel: "flood", from: session.path, payload: .plain(body))) }
            }
            let started = ContinuousClock.now
            await runtime.shutdown()
            var finished: [String] = []
            while finished.filter({ $0 == "listener" }).count < listeners || !finished.contains("server") {
                guard let next = try await group.next() else { break }
                finished.append(next)
                if started.duration(to: .now) > .seconds(10) { break }
            }
            let elapsed = started.duration(to: .now)
            group.cancelAll()
            #expect(finished.contains("server"))
            #expect(ended.value.load(ordering: .relaxed) == listeners, "live sessions still connected after shutdown")
            #expect(elapsed < .seconds(5), "shutdown took \(elapsed)")
        }
    }
}

/// A count shared by concurrent tasks.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
