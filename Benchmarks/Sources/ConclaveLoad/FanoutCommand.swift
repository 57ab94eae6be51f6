import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Foundation
import NIOCore

/// Scenario 3: one sender, N subscribers, deliveries per second at saturation, and what each
/// delivery costs the server in CPU time (from `/proc`, the server process alone).
struct FanoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout", abstract: "1 sender → N subscribers throughput.")

    enum Target: String, ExpressibleByArgument { case conclave, floor, rawfloor, redis }

    @Option var target: Target = .conclave
    @Option(help: "ws://host:port/ for conclave and the floors, host:port for redis.") var url: String
    @Option var subscribers = 100
    @Option var messages = 2_000
    @Option var body = 200
    @Option(help: "Posts in flight before waiting for acknowledgements (conclave, redis).") var window = 64
    @Option(name: .customLong("subscriber-urls"), help: "Comma-separated ws:// URLs of other instances of the same cluster: subscribers are spread over them round-robin (conclave).")
    var subscriberURLs: String?
    @Option(help: "The server's process id: its CPU time per delivery is reported.") var serverPid: Int32?
    @Flag(help: "Sign every post, and have every subscriber speak `signatures` (conclave): the cost of relaying signed messages.")
    var signed = false
    @OptionGroup var pacing: PacingOptions

    func run() async throws {
        let stopwatch = Stopwatch(serverPid: serverPid)
        switch target {
        case .conclave: try await runConclave(stopwatch)
        case .floor, .rawfloor: try await runFloor(stopwatch)
        case .redis:
            try await RedisLoad(address: url).fanout(
                subscribers: subscribers, messages: messages, body: body, window: window, pacing: pacing.pacing, stopwatch: stopwatch)
        }
        let seconds = stopwatch.seconds
        let deliveries = subscribers * messages
        let instances = target == .conclave
            ? 1 + Set(try Fleet.urls(subscriberURLs).map(\.normalized)).subtracting([try ServerURL(url).normalized]).count : 1
        var fields: [String: Any] = [
            "scenario": "fanout", "target": target.rawValue, "subscribers": subscribers, "messages": messages, "signed": signed,
            "instances": instances, "pacing": pacing.pacing.description,
            "seconds": Report.rounded(seconds), "deliveries_per_second": Int(Double(deliveries) / seconds),
            "posts_per_second": Int(Double(messages) / seconds),
            "load_generator_cpu_seconds": Report.rounded(stopwatch.generatorCPUSeconds, 2),
            "load_generator_cpu_us_per_delivery": Report.rounded(stopwatch.generatorCPUSeconds / Double(deliveries) * 1_000_000, 3),
        ]
        if let cpu = stopwatch.serverCPUSeconds {
            // /proc counts in clock ticks (10 ms): runs are sized to last seconds.
            fields["server_cpu_seconds"] = Report.rounded(cpu, 2)
            fields["server_cpu_us_per_delivery"] = Report.rounded(cpu / Double(deliveries) * 1_000_000, 3)
        }
        Report.print(fields)
    }

    private func runConclave(_ stopwatch: Stopwatch) async throws {
        let fleet = try await Fleet.register(url: url, username: "fan\(UInt32.random(in: 0...UInt32.max))")
        let channel = "fanout"
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        let ready = Counter()
        let delivered = Counter()
        let spread = try Fleet.urls(subscriberURLs)
        let body = Fleet.body("fanout", size: self.body)
        // Every delivery is the publisher's one frame: count them by bytes, as for Redis.
        let publisher = SessionPath(user: fleet.username, machine: "m", session: "publisher")
        // A signed post reaches a signatures session as `SignedChannelMsg` with id 0 (no receipts):
        // its size is the same for every post, since the one signature is reused (the server does
        // not check signatures; recipients would).
        let signature = MessageSignature(
            timestampMs: 0, nonce: [UInt8](repeating: 1, count: 16), publicKey: fleet.key.publicKey.bytes,
            signature: [UInt8](repeating: 2, count: 64))
        let deliveredFrame: ProtocolMessage = signed
            ? .signedChannelMessage(id: 0, channel: channel, from: publisher, payload: .plain(body), signature: signature)
            : .channelMessage(channel: channel, from: publisher, payload: .plain(body))
        let frameBytes = EncodedFrame(deliveredFrame).message.readableBytes
        let extensions: Set<ProtocolExtension> = signed ? [.signatures] : []
        var connections: [any Channel] = []
        defer { for connection in connections { connection.close(promise: nil) } }
        for index in 0..<subscribers {
            let key = fleet.key
            connections.append(try await WireClient.connect(to: fleet.subscriberURL(index, spread: spread), pacing: pacing.pacing, extensions: extensions) {
                WireSession(role: .subscriber(key: key, handle: "s\(index)", channel: channel, frameBytes: frameBytes), ready: ready, delivered: delivered)
            })
        }
        guard await ready.wait(for: subscribers, timeout: .seconds(120)) else { throw LoadError("subscribers did not join in time") }
        stopwatch.start()
        try await fleet.client("publisher", extensions: extensions).withSession { [messages, window, signed] session in
            _ = try await session.request(.join(channel: channel, token: nil))
            let frame = ByteBufferFrame(signed
                ? .signedPost(channel: channel, payload: .plain(body), signature: signature)
                : .channelMessage(channel: channel, from: session.path, payload: .plain(body)))
            try await Fleet.post(frame, count: messages, window: window, on: &session)
        }
        try await Self.waitForDeliveries(delivered, expected: subscribers * messages)
        stopwatch.stop()
    }

    private func runFloor(_ stopwatch: Stopwatch) async throws {
        let url = try ServerURL(url)
        let ready = Counter()
        let delivered = Counter()
        let frame = ByteBufferFrame(.channelMessage(
            channel: "fanout", from: SessionPath(user: "u", machine: "m", session: "s"), payload: .plain(Fleet.body("fanout", size: body))))
        var connections: [any Channel] = []
        defer { for connection in connections { connection.close(promise: nil) } }
        // Both floors relay the publisher's frame as it is: count deliveries by its size.
        let frameBytes = EncodedFrame(frame.message).message.readableBytes
        for _ in 0..<subscribers {
            connections.append(try await WireClient.connect(to: url, pacing: pacing.pacing) {
                WireSession(role: .floor(frameBytes: frameBytes), ready: ready, delivered: delivered)
            })
        }
        guard await ready.wait(for: subscribers, timeout: .seconds(120)) else { throw LoadError("subscribers did not connect in time") }
        // Let the server finish registering the last connections.
        try await Task.sleep(for: .milliseconds(200))
        stopwatch.start()
        try await FrameLink.connect(to: url, timeout: .seconds(60), logger: Fleet.quietLogger) { [messages] connection in
            for _ in 0..<messages { try await connection.outbound.send(encoded: frame.buffer) }
            _ = await delivered.wait(for: subscribers * messages, timeout: .seconds(600))
        }
        try await Self.waitForDeliveries(delivered, expected: subscribers * messages)
        stopwatch.stop()
    }

    /// Waits for every delivery; fails loudly (with the count) when they stop arriving.
    static func waitForDeliveries(_ delivered: Counter, expected: Int) async throws {
        guard await delivered.wait(for: expected, timeout: .seconds(600), stallLimit: .seconds(30)) else {
            throw LoadError("only \(delivered.current) of \(expected) deliveries arrived")
        }
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
