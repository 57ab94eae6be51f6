import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Foundation
import Synchronization

/// A long run at moderate load against a real `conclave serve` with its default limits: sessions
/// post, whisper, read history, join and leave, and reconnect, while the server's memory is
/// sampled. Memory must stay flat: after the warm-up, the last samples may not exceed the first
/// ones by more than `--tolerance-mib`.
struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "soak", abstract: "Hold moderate load for a long time and watch the server's memory.")

    @Option(help: "The conclave executable.") var conclave: String
    @Option var minutes = 30
    @Option var sessions = 40
    @Option(help: "Posts per second, all sessions together.") var rate = 20
    @Option(help: "Allowed growth between the first and the last tenth of the run, in MiB.") var toleranceMib = 8.0

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-soak-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try ServerProcess.freePort()
        let server = try await ServerProcess.start(conclave, directory: directory, port: port, extraArguments: [])
        defer { server.kill() }
        let pid = server.process.processIdentifier
        let fleet = try await Fleet.register(url: "ws://127.0.0.1:\(port)/", username: "soak")
        for channel in ["a", "b", "c"] {
            _ = try await fleet.client("setup").request(.admin(.createChannel(name: channel, visibility: .public)))
        }
        let end = ContinuousClock.now + .seconds(minutes * 60)
        let posted = Counter()
        let reconnects = Counter()
        let samples = MemoryLog()
        let started = ContinuousClock.now
        let perSessionInterval = Duration.seconds(Double(sessions) / Double(max(1, rate)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<sessions {
                group.addTask {
                    var cycle = 0
                    while ContinuousClock.now < end {
                        // Each connection lives a few minutes, then the session reconnects.
                        let lifetime = ContinuousClock.now + .seconds(Double.random(in: 60...240))
                        let currentCycle = cycle
                        _ = try? await fleet.client("s\(index)").withSession { session in
                            let channel = ["a", "b", "c"][(index + currentCycle) % 3]
                            _ = try await session.request(.join(channel: channel, token: nil))
                            var step = 0
                            while ContinuousClock.now < min(lifetime, end) {
                                step += 1
                                let text = "soak \(index).\(currentCycle).\(step) " + String(repeating: "x", count: 200)
                                // `request` reads (and skips) the deliveries queued before the reply.
                                if case .ack = try await session.request(.channelMessage(channel: channel, from: session.path, payload: .plain(text))) {
                                    posted.increment()
                                }
                                if step.isMultiple(of: 10) {
                                    let target = SessionPath(user: "soak", machine: "m", session: "s\((index + 1) % sessions)")
                                    _ = try await session.request(.whisper(from: session.path, target: target, payload: .plain("psst")))
                                }
                                if step.isMultiple(of: 50) { _ = try await session.request(.readSince(channel: channel, sinceMs: 0)) }
                                try await Task.sleep(for: perSessionInterval)
                            }
                            _ = try? await session.request(.leave(channel: channel))
                        }
                        cycle += 1
                        reconnects.increment()
                    }
                }
            }
            group.addTask {
                while ContinuousClock.now < end {
                    let minute = Report.seconds(started.duration(to: .now)) / 60
                    let rss = Double(HostileCommand.rssKiB(pid)) / 1024
                    samples.append(minute: minute, rssMiB: rss)
                    try await Task.sleep(for: .seconds(10))
                }
            }
            try await group.waitForAll()
        }
        let all = samples.entries
        let tenth = max(1, all.count / 10)
        // The first tenth is the warm-up; compare the second tenth with the last.
        let early = all.dropFirst(tenth).prefix(tenth).map(\.rssMiB)
        let late = all.suffix(tenth).map(\.rssMiB)
        let earlyMean = early.reduce(0, +) / Double(max(1, early.count))
        let lateMean = late.reduce(0, +) / Double(max(1, late.count))
        let growth = lateMean - earlyMean
        Report.print([
            "scenario": "soak", "minutes": minutes, "sessions": sessions, "posts": posted.current,
            "reconnects": reconnects.current, "rss_early_mib": Report.rounded(earlyMean, 1), "rss_late_mib": Report.rounded(lateMean, 1),
            "rss_max_mib": Report.rounded(all.map(\.rssMiB).max() ?? 0, 1), "rss_growth_mib": Report.rounded(growth, 1),
            "flat": growth <= toleranceMib, "samples": all.count,
        ])
        if growth > toleranceMib { throw ExitCode(1) }
    }
}

/// Memory samples taken while a run goes on.
final class MemoryLog: Sendable {
    private let samples = Mutex<[(minute: Double, rssMiB: Double)]>([])

    func append(minute: Double, rssMiB: Double) { samples.withLock { $0.append((minute, rssMiB)) } }

    var entries: [(minute: Double, rssMiB: Double)] { samples.withLock { $0 } }
}
