import ArgumentParser
import ConclaveProtocol
import ConclaveTransport
import NIOCore

/// Scenario 4: publish-to-receive latency at a fixed offered rate into one channel.
struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latency", abstract: "Publish-to-receive latency at a fixed rate.")

    @Option var url: String
    @Option var subscribers = 100
    @Option(help: "Messages per second offered.") var rate = 1_000
    @Option(help: "Seconds of load (after a one-second warm-up).") var duration = 5
    @Option var body = 200
    @Option(name: .customLong("subscriber-urls"), help: "Comma-separated ws:// URLs of other instances of the same cluster: subscribers are spread over them round-robin.")
    var subscriberURLs: String?

    static let origin = ContinuousClock.now

    static func nanos() -> Int64 {
        let components = origin.duration(to: .now).components
        return components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Reads the `nanos|sequence|` prefix of a body from its UTF-8 bytes: `String` indexing here
    /// cost the load generator more CPU than the server spent delivering (perf, 2026-11-28).
    static func stamp(of bytes: some Sequence<UInt8>) -> (sent: Int64, sequence: Int) {
        var numbers: [Int64] = [0, 0]
        var field = 0
        for byte in bytes {
            if byte == UInt8(ascii: "|") {
                field += 1
                if field == 2 { break }
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                numbers[field] = numbers[field] &* 10 &+ Int64(byte - UInt8(ascii: "0"))
            }
        }
        return (numbers[0], Int(numbers[1]))
    }

    func run() async throws {
        let fleet = try await Fleet.register(url: url, username: "lat\(UInt32.random(in: 0...UInt32.max))")
        let channel = "latency"
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        let ready = Counter()
        let delivered = Counter()
        let samples = Samples()
        let warmup = rate
        let total = rate * (duration + 1)
        let subscribers = subscribers
        let rate = rate
        let size = body
        let spread = try Fleet.urls(subscriberURLs)
        // Subscribers on SwiftNIO handlers (no task per frame), so the generator's own wake-ups stay
        // out of the measured latency. The body is the frame's last `size` bytes (a plain payload
        // comes last), and starts with the send time.
        var connections: [any Channel] = []
        defer { for connection in connections { connection.close(promise: nil) } }
        for index in 0..<subscribers {
            let key = fleet.key
            connections.append(try await WireClient.connect(to: fleet.subscriberURL(index, spread: spread), pacing: .unpaced) {
                WireSession(role: .subscriber(key: key, handle: "s\(index)", channel: channel), ready: ready, delivered: delivered) { bytes in
                    let (sent, sequence) = Self.stamp(of: bytes.suffix(size))
                    if sequence >= warmup { samples.append(Double(Self.nanos() - sent) / 1_000_000) }
                }
            })
        }
        do {
            guard await ready.wait(for: subscribers, timeout: .seconds(120)) else { throw LoadError("subscribers did not join in time") }
            try await fleet.client("publisher").withSession { session in
                _ = try await session.request(.join(channel: channel, token: nil))
                let outbound = session.outbound
                let from = session.path
                try await withThrowingTaskGroup(of: Void.self) { senders in
                    senders.addTask {
                        let start = ContinuousClock.now
                        var sent = 0
                        while sent < total {
                            let due = min(total, Int(Report.seconds(start.duration(to: .now)) * Double(rate)) + 1)
                            while sent < due {
                                let text = Fleet.body("\(Self.nanos())|\(sent)|", size: size)
                                try await outbound.send(.channelMessage(channel: channel, from: from, payload: .plain(text)))
                                sent += 1
                            }
                            try await Task.sleep(for: .microseconds(500))
                        }
                    }
                    var acknowledged = 0
                    while acknowledged < total {
                        if case .ack = try await session.next() { acknowledged += 1 }
                    }
                    try await senders.waitForAll()
                }
            }
            _ = await delivered.wait(for: subscribers * total, timeout: .seconds(30))
        }
        let sorted = samples.sorted()
        Report.print([
            "scenario": "latency", "subscribers": subscribers, "rate": rate, "seconds": duration,
            "expected_deliveries": subscribers * total, "lost": subscribers * total - delivered.current,
            "p50_ms": Report.rounded(Report.percentile(sorted, 0.5)), "p99_ms": Report.rounded(Report.percentile(sorted, 0.99)),
            "p999_ms": Report.rounded(Report.percentile(sorted, 0.999)), "max_ms": Report.rounded(sorted.last ?? .nan),
        ])
    }
}
