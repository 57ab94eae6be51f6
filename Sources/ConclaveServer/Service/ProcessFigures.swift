import CoreMetrics
import Foundation
import Synchronization

/// The server process's own figures for a scrape, under the names Prometheus client libraries
/// use (`process_resident_memory_bytes`, `process_cpu_seconds_total`, `process_open_fds`,
/// `process_start_time_seconds`), read from `/proc` when the scrape arrives. Where there is no
/// `/proc` (macOS) nothing is recorded.
final class ProcessFigures: Sendable {
    private let residentBytes: Gauge
    private let openDescriptors: Gauge
    private let startTime: Gauge
    private let cpuSeconds: FloatingPointCounter
    /// The CPU time already counted: the counter only ever moves forward by the difference.
    private let countedCPU = Mutex<Double>(0)

    init(factory: any MetricsFactory) {
        residentBytes = Gauge(label: "process_resident_memory_bytes", factory: factory)
        openDescriptors = Gauge(label: "process_open_fds", factory: factory)
        startTime = Gauge(label: "process_start_time_seconds", factory: factory)
        cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total", factory: factory)
    }

    /// Reads the figures now.
    func sample() {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        // After the command name in parentheses (which may hold spaces and parentheses itself),
        // the fields of proc(5) from the third on: utime 14, stime 15, starttime 22, rss 24.
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")"),
           ticksPerSecond > 0 {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15) {
                let total = (user + system) / ticksPerSecond
                let step = countedCPU.withLock { counted -> Double in
                    defer { counted = max(counted, total) }
                    return total - counted
                }
                if step > 0 { cpuSeconds.increment(by: step) }
            }
            if let pages = field(24), pageSize > 0 { residentBytes.record(pages * Double(pageSize)) }
            if let started = field(22), let boot = Self.bootTime() { startTime.record(boot + started / ticksPerSecond) }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openDescriptors.record(descriptors.count)
        }
    }

    /// When the machine booted, in seconds since the epoch (`btime` in /proc/stat).
    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count))
        }
        return nil
    }
}
