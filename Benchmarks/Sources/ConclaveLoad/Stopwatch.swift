import Foundation
import Synchronization

/// The measured part of a scenario: wall time, and CPU time of the server process (when its pid is
/// known) and of the load generator itself, read from `/proc` at ``start()`` and ``stop()``, so
/// connection setup and handshakes stay out of the per-delivery figures.
final class Stopwatch: Sendable {
    private struct Mark {
        var instant: ContinuousClock.Instant
        var server: Double?
        var generator: Double
    }

    private let serverPid: Int32?
    private let marks = Mutex<(start: Mark?, stop: Mark?)>((nil, nil))

    init(serverPid: Int32?) {
        self.serverPid = serverPid
    }

    private func mark() -> Mark {
        Mark(
            instant: .now, server: serverPid.flatMap { try? ProcessStats(pid: $0).cpuSeconds },
            generator: (try? ProcessStats(pid: getpid()).cpuSeconds) ?? 0)
    }

    func start() {
        let now = mark()
        marks.withLock { $0.start = now }
    }

    func stop() {
        let now = mark()
        marks.withLock { $0.stop = now }
    }

    /// Seconds between ``start()`` and ``stop()``.
    var seconds: Double {
        marks.withLock { marks in
            guard let start = marks.start, let stop = marks.stop else { return .nan }
            return Report.seconds(start.instant.duration(to: stop.instant))
        }
    }

    /// Server CPU seconds in the measured part, when the server's pid is known.
    var serverCPUSeconds: Double? {
        marks.withLock { marks in
            guard let start = marks.start?.server, let stop = marks.stop?.server else { return nil }
            return stop - start
        }
    }

    /// The load generator's CPU seconds in the measured part.
    var generatorCPUSeconds: Double {
        marks.withLock { marks in
            guard let start = marks.start, let stop = marks.stop else { return .nan }
            return stop.generator - start.generator
        }
    }
}
