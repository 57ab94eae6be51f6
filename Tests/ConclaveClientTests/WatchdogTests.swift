@testable import ConclaveClient
import Synchronization
import Testing

/// The watchdog sleeps until its deadline or until the deadline changes: it fires for a passed
/// deadline, never for a disarmed one, and an earlier deadline set while it sleeps on a later
/// one is kept.
@Suite("Watchdog")
struct WatchdogTests {
    @Test func aPassedDeadlineFiresOnceWithItsPhase() async {
        let watchdog = Watchdog(url: "ws://127.0.0.1:1/")
        let fired = Mutex(0)
        watchdog.arm(.milliseconds(50), phase: "the handshake")
        await watchdog.run { fired.withLock { $0 += 1 } }
        #expect(fired.withLock { $0 } == 1)
        #expect(watchdog.firedError?.description.contains("the handshake") == true)
    }

    @Test func anEarlierDeadlineSetWhileSleepingOnALaterOneIsKept() async throws {
        let watchdog = Watchdog(url: "ws://127.0.0.1:1/")
        watchdog.arm(.seconds(600), phase: "a long wait")
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watchdog.run {} }
            try await Task.sleep(for: .milliseconds(100))
            watchdog.arm(.milliseconds(100), phase: "a reply")
            // Within the test's own patience, far below the first deadline.
            group.addTask { try await Task.sleep(for: .seconds(30)) }
            try await group.next()
            group.cancelAll()
        }
        #expect(started.duration(to: .now) < .seconds(30))
        #expect(watchdog.firedError?.description.contains("a reply") == true)
    }

    @Test func aDisarmedWatchdogNeverFiresAndStopsWhenCancelled() async throws {
        let watchdog = Watchdog(url: "ws://127.0.0.1:1/")
        watchdog.arm(.milliseconds(100), phase: "the handshake")
        let runner = Task { await watchdog.run {} }
        watchdog.disarm()
        try await Task.sleep(for: .milliseconds(300))
        runner.cancel()
        await runner.value
        #expect(watchdog.firedError == nil)
    }
}
