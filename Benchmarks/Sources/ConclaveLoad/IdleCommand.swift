import ArgumentParser
import ConclaveTransport
import Foundation

/// Scenario 5: many authenticated idle sessions held with heartbeats; the server's memory per
/// session and its CPU while idle, read from /proc.
struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle", abstract: "Hold many idle sessions; measure the server.")

    @Option var url: String
    @Option(help: "The server's process id, to read its RSS and CPU time.") var serverPid: Int32
    @Option var sessions = 10_000
    @Option(help: "Seconds to hold the sessions.") var hold = 60
    @Option var concurrency = 64

    func run() async throws {
        let fleet = try await Fleet.register(url: url, username: "idle\(UInt32.random(in: 0...UInt32.max))")
        let baseline = try ProcessStats(pid: serverPid)
        let opened = Counter()
        let next = Counter()
        let total = sessions
        let hold = hold
        let release = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<total {
                group.addTask {
                    let index = next.increment()
                    try await fleet.client("idle\(index)").withSession { session in
                        opened.increment()
                        while release.current == 0 {
                            try await Task.sleep(for: .seconds(20))
                            if release.current == 0 { _ = try await session.request(.ping) }
                        }
                    }
                }
                if next.current - opened.current > concurrency { _ = await opened.wait(for: next.current - concurrency, timeout: .seconds(60)) }
            }
            guard await opened.wait(for: total, timeout: .seconds(300)) else { throw LoadError("only \(opened.current) sessions opened") }
            try await Task.sleep(for: .seconds(2))
            let loaded = try ProcessStats(pid: serverPid)
            try await Task.sleep(for: .seconds(hold))
            let after = try ProcessStats(pid: serverPid)
            release.increment()
            let perSession = Double(loaded.rssBytes - baseline.rssBytes) / Double(total)
            let cpu = after.cpuSeconds - loaded.cpuSeconds
            Report.print([
                "scenario": "idle", "sessions": total, "hold_seconds": hold,
                "server_rss_baseline_mib": Report.rounded(Double(baseline.rssBytes) / 1_048_576, 1),
                "server_rss_loaded_mib": Report.rounded(Double(loaded.rssBytes) / 1_048_576, 1),
                "rss_per_session_kib": Report.rounded(perSession / 1024, 2),
                "server_cpu_percent_while_idle": Report.rounded(cpu / Double(hold) * 100, 2),
            ])
            group.cancelAll()
        }
    }
}

/// RSS and CPU time of a process, from /proc.
struct ProcessStats {
    let rssBytes: Int
    let cpuSeconds: Double

    init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        rssBytes = (Int(rssLine.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may contain spaces) start after the last ')'.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")") ?? stat.startIndex)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        cpuSeconds = ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
