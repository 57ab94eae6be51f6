import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

/// Scenario 3: one sender, N subscribers, deliveries per second at saturation.
struct FanoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout", abstract: "1 sender → N subscribers throughput.")

    enum Target: String, ExpressibleByArgument { case conclave, floor, redis }

    @Option var target: Target = .conclave
    @Option(help: "ws://host:port/ for conclave and floor, host:port for redis.") var url: String
    @Option var subscribers = 100
    @Option var messages = 2_000
    @Option var body = 200
    @Option(help: "Posts in flight before waiting for acknowledgements (conclave, redis).") var window = 64
    @Option(name: .customLong("subscriber-urls"), help: "Comma-separated ws:// URLs of other instances of the same cluster: subscribers are spread over them round-robin (conclave).")
    var subscriberURLs: String?

    func run() async throws {
        let started: ContinuousClock.Instant
        let finished: ContinuousClock.Instant
        switch target {
        case .conclave: (started, finished) = try await runConclave()
        case .floor: (started, finished) = try await runFloor()
        case .redis: (started, finished) = try await RedisLoad(address: url).fanout(subscribers: subscribers, messages: messages, body: body, window: window)
        }
        let seconds = Report.seconds(started.duration(to: finished))
        let deliveries = subscribers * messages
        let instances = target == .conclave
            ? 1 + Set(try Fleet.urls(subscriberURLs).map(\.normalized)).subtracting([try ServerURL(url).normalized]).count : 1
        Report.print([
            "scenario": "fanout", "target": target.rawValue, "subscribers": subscribers, "messages": messages,
            "instances": instances,
            "seconds": Report.rounded(seconds), "deliveries_per_second": Int(Double(deliveries) / seconds),
            "posts_per_second": Int(Double(messages) / seconds),
        ])
    }

    private func runConclave() async throws -> (ContinuousClock.Instant, ContinuousClock.Instant) {
        let fleet = try await Fleet.register(url: url, username: "fan\(UInt32.random(in: 0...UInt32.max))")
        let channel = "fanout"
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        let ready = Counter()
        let delivered = Counter()
        let messages = messages
        let subscribers = subscribers
        let body = Fleet.body("fanout", size: self.body)
        let window = window
        let spread = try Fleet.urls(subscriberURLs)
        return try await withThrowingTaskGroup(of: (ContinuousClock.Instant, ContinuousClock.Instant)?.self) { group in
            for index in 0..<subscribers {
                group.addTask {
                    try await fleet.client("s\(index)", url: fleet.subscriberURL(index, spread: spread)).withSession { session in
                        _ = try await session.request(.join(channel: channel, token: nil))
                        ready.increment()
                        var received = 0
                        while received < messages {
                            if case .channelMessage = try await session.next() {
                                received += 1
                                delivered.increment()
                            }
                        }
                    }
                    return nil
                }
            }
            guard await ready.wait(for: subscribers, timeout: .seconds(120)) else { throw LoadError("subscribers did not join in time") }
            let started = ContinuousClock.now
            try await fleet.client("publisher").withSession { session in
                _ = try await session.request(.join(channel: channel, token: nil))
                let frame = ByteBufferFrame(.channelMessage(channel: channel, from: session.path, payload: .plain(body)))
                try await Fleet.post(frame, count: messages, window: window, on: &session)
            }
            guard await delivered.wait(for: subscribers * messages, timeout: .seconds(600)) else {
                throw LoadError("only \(delivered.current) of \(subscribers * messages) deliveries arrived")
            }
            let finished = ContinuousClock.now
            group.cancelAll()
            return (started, finished)
        }
    }

    private func runFloor() async throws -> (ContinuousClock.Instant, ContinuousClock.Instant) {
        let url = try ServerURL(url)
        let ready = Counter()
        let delivered = Counter()
        let messages = messages
        let subscribers = subscribers
        let frame = ByteBufferFrame(.channelMessage(
            channel: "fanout", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain(Fleet.body("fanout", size: body))))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<subscribers {
                group.addTask {
                    try await FrameLink.connect(to: url, timeout: .seconds(60), logger: Fleet.quietLogger) { connection in
                        ready.increment()
                        var received = 0
                        for try await frame in connection.inbound {
                            if case .message(.channelMessage) = frame {
                                received += 1
                                delivered.increment()
                                if received == messages { break }
                            }
                        }
                    }
                }
            }
            guard await ready.wait(for: subscribers, timeout: .seconds(120)) else { throw LoadError("subscribers did not connect in time") }
            // Let the server finish registering the last connections.
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            try await FrameLink.connect(to: url, timeout: .seconds(60), logger: Fleet.quietLogger) { connection in
                for _ in 0..<messages { try await connection.outbound.send(encoded: frame.buffer) }
                _ = await delivered.wait(for: subscribers * messages, timeout: .seconds(600))
            }
            guard delivered.current >= subscribers * messages else {
                throw LoadError("only \(delivered.current) of \(subscribers * messages) deliveries arrived")
            }
            let finished = ContinuousClock.now
            group.cancelAll()
            return (started, finished)
        }
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
