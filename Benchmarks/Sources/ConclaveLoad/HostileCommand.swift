import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Hostile peers against a real `conclave serve` with its default limits:
/// 1. stalled readers: sessions in a busy channel that stop reading, next to healthy ones;
///    the server must cut them, keep its memory bounded, and keep the healthy ones' latency;
/// 2. a pre-authentication flood: thousands of connections from another address that never
///    finish (half never send a request, half upgrade and then say nothing), while real users
///    sign in from this one.
struct HostileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hostile", abstract: "Stalled readers and a pre-authentication flood.")

    @Option(help: "The conclave executable.") var conclave: String
    @Option var stalled = 20
    @Option var healthy = 20
    @Option(help: "Messages per second into the channel.") var rate = 200
    @Option(help: "Body size in bytes.") var body = 4096
    @Option(help: "Seconds of traffic in each stalled-reader run.") var seconds = 20
    @Option(help: "Connections in the flood.") var flood = 2000
    @Option(help: "Real sign-ins during the flood.") var users = 200
    @Option(help: "Source address of the flood (a loopback alias).") var floodAddress = "127.0.0.2"

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-hostile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try ServerProcess.freePort()
        // Posting limits off: this scenario is about readers, and the publisher must be able to
        // offer the rate. The per-address connection and registration limits are raised because
        // every real user here shares 127.0.0.1 (in the field they come from many addresses);
        // the flood's own address keeps the defaults. Every other limit keeps its default.
        let server = try await ServerProcess.start(
            conclave, directory: directory, port: port,
            extraArguments: ["--limit", "post-rate=off", "--limit", "user-post-rate=off", "--limit", "connect-rate=1000/s:5000", "--limit", "register-rate=off"])
        defer { server.kill() }
        let url = "ws://127.0.0.1:\(port)/"
        let baseline = try await stalledReaders(url: url, pid: server.process.processIdentifier, stalled: 0, label: "baseline")
        let attacked = try await stalledReaders(url: url, pid: server.process.processIdentifier, stalled: stalled, label: "stalled")
        let preAuth = try await preAuthenticationFlood(port: port, url: url)
        Report.print(["scenario": "hostile", "baseline": baseline, "with_stalled_readers": attacked, "pre_auth_flood": preAuth])
    }

    // MARK: Stalled readers

    private func stalledReaders(url: String, pid: Int32, stalled: Int, label: String) async throws -> [String: Any] {
        let fleet = try await Fleet.register(url: url, username: "\(label)\(UInt32.random(in: 0...UInt32.max))")
        let channel = "hot\(label)"
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        let samples = Samples()
        let ready = Counter()
        let received = Counter()
        let total = rate * seconds
        let baselineRSS = Self.rssKiB(pid)
        let peakRSS = Gauge(baselineRSS)
        let stalledLeft = Gauge(stalled)
        var cutAfter: Double?
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<healthy {
                group.addTask {
                    try? await fleet.client("h\(index)").withSession { session in
                        _ = try await session.request(.join(channel: channel, token: nil))
                        ready.increment()
                        var count = 0
                        while count < total {
                            guard case let .channelMessage(_, _, .plain(text)) = try await session.next() else { continue }
                            count += 1
                            received.increment()
                            let (sent, _) = LatencyCommand.stamp(of: text.utf8)
                            samples.append(Double(LatencyCommand.nanos() - sent) / 1_000_000)
                        }
                    }
                }
            }
            for index in 0..<stalled {
                group.addTask {
                    // Joins, then never reads again: its socket buffers fill and stay full.
                    try? await fleet.client("x\(index)").withSession { session in
                        _ = try await session.request(.join(channel: channel, token: nil))
                        ready.increment()
                        try await Task.sleep(for: .seconds(Double(seconds) + 15))
                    }
                }
            }
            guard await ready.wait(for: healthy + stalled, timeout: .seconds(60)) else { throw LoadError("sessions did not join") }
            let started = ContinuousClock.now
            group.addTask {
                // Memory and the stalled sessions' presence, sampled while traffic flows.
                let probe = fleet.client("probe")
                while ContinuousClock.now < started + .seconds(Double(seconds) + 12) {
                    let rss = Self.rssKiB(pid)
                    peakRSS.raise(to: rss)
                    if stalled > 0, case let .presence(_, sessions)? = try? await probe.request(.who(channel: channel)) {
                        stalledLeft.set(sessions.filter { $0.session.hasPrefix("x") }.count)
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            try await fleet.client("publisher").withSession { session in
                _ = try await session.request(.join(channel: channel, token: nil))
                let from = session.path
                var sent = 0
                var acknowledged = 0
                while sent < total {
                    let due = min(total, Int(Report.seconds(started.duration(to: .now)) * Double(rate)) + 1)
                    while sent < due {
                        let text = Fleet.body("\(LatencyCommand.nanos())|\(sent)|", size: body)
                        try await session.outbound.send(.channelMessage(channel: channel, from: from, payload: .plain(text)))
                        sent += 1
                    }
                    // Keep the acknowledgements drained without waiting for all of them.
                    while acknowledged < sent - 64 {
                        if case .ack = try await session.next() { acknowledged += 1 }
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
                while acknowledged < sent {
                    if case .ack = try await session.next() { acknowledged += 1 }
                }
            }
            _ = await received.wait(for: healthy * total, timeout: .seconds(30))
            if stalled > 0 {
                let deadline = ContinuousClock.now + .seconds(15)
                while stalledLeft.value > 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                if stalledLeft.value == 0 { cutAfter = Report.seconds(started.duration(to: .now)) }
            }
            group.cancelAll()
        }
        let sorted = samples.sorted()
        var result: [String: Any] = [
            "healthy_sessions": healthy, "stalled_sessions": stalled, "messages": total, "body_bytes": body,
            "healthy_deliveries_lost": healthy * total - received.current,
            "healthy_p50_ms": Report.rounded(Report.percentile(sorted, 0.5)), "healthy_p99_ms": Report.rounded(Report.percentile(sorted, 0.99)),
            "server_rss_baseline_mib": Report.rounded(Double(baselineRSS) / 1024, 1),
            "server_rss_peak_mib": Report.rounded(Double(peakRSS.value) / 1024, 1),
        ]
        if stalled > 0 {
            result["stalled_still_present"] = stalledLeft.value
            result["all_stalled_cut_within_seconds"] = cutAfter.map { Report.rounded($0, 1) } ?? NSNull()
        }
        return result
    }

    static func rssKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    // MARK: Pre-authentication flood

    private func preAuthenticationFlood(port: Int, url: String) async throws -> [String: Any] {
        let quietBaseline = try await signIns(url: url, count: users)
        let group = MultiThreadedEventLoopGroup.singleton
        let source = try SocketAddress(ipAddress: floodAddress, port: 0)
        var attackers: [any Channel] = []
        let upgrade = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let floodStarted = ContinuousClock.now
        for index in 0..<flood {
            guard let channel = try? await ClientBootstrap(group: group).bind(to: source).connect(host: "127.0.0.1", port: port).get() else { continue }
            if index.isMultiple(of: 2) { try? await channel.writeAndFlush(upgrade).get() }
            attackers.append(channel)
        }
        let opened = attackers.count
        let underFlood = try await signIns(url: url, count: users)
        // Every flood connection must be closed by the server; record when the last one was.
        var lastClosed: Double?
        let deadline = floodStarted + .seconds(40)
        while ContinuousClock.now < deadline {
            if attackers.allSatisfy({ !$0.isActive }) {
                lastClosed = Report.seconds(floodStarted.duration(to: .now))
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let stillOpen = attackers.filter(\.isActive).count
        for channel in attackers where channel.isActive { try? await channel.close() }
        return [
            "flood_connections": opened, "flood_still_open_after_40s": stillOpen,
            "flood_all_closed_after_seconds": lastClosed.map { Report.rounded($0, 1) } ?? NSNull(),
            "sign_ins_quiet": quietBaseline, "sign_ins_under_flood": underFlood,
        ]
    }

    /// `count` real users register and list channels, 16 at a time: how many got in, and how fast.
    private func signIns(url: String, count: Int) async throws -> [String: Any] {
        let samples = Samples()
        let succeeded = Counter()
        let serverURL = try ServerURL(url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 16 { try await group.next() }
                group.addTask {
                    let started = ContinuousClock.now
                    guard let key = try? SigningKey.generate() else { return }
                    let client = ControlClient(url: serverURL, key: key, session: "s", logger: Fleet.quietLogger)
                    let name = "real\(UInt32.random(in: 0...UInt32.max))"
                    guard (try? await client.register(username: name, machine: "m")) != nil,
                        case .channelList? = try? await client.request(.listChannels)
                    else { return }
                    succeeded.increment()
                    samples.append(Report.seconds(started.duration(to: .now)) * 1000)
                }
            }
            try await group.waitForAll()
        }
        let sorted = samples.sorted()
        return ["attempted": count, "succeeded": succeeded.current,
                "p50_ms": Report.rounded(Report.percentile(sorted, 0.5)), "p99_ms": Report.rounded(Report.percentile(sorted, 0.99))]
    }
}

/// A value several tasks update and read.
final class Gauge: Sendable {
    private let current: Atomic<Int>

    init(_ value: Int) { current = Atomic(value) }

    var value: Int { current.load(ordering: .relaxed) }
    func set(_ value: Int) { current.store(value, ordering: .relaxed) }
    func raise(to value: Int) { _ = current.max(value, ordering: .relaxed) }
}
