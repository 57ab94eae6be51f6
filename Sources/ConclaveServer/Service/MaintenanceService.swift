import ConclaveTransport
import Logging
import ServiceLifecycle

/// Periodic work: the idle and stalled-write reaper (every 15 s) and the retention sweep (at start, then hourly).
/// On graceful shutdown it closes every live session as "going away", so clients reconnect.
struct MaintenanceService: Service {
    let hub: Hub
    var reapInterval: Duration = .seconds(15)
    var purgeInterval: Duration = .seconds(3600)
    /// How long sessions have to take their leave before their connections are cut.
    var shutdownGrace: Duration = .milliseconds(2500)

    func run() async throws {
        await hub.purge()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await repeatEvery(reapInterval) {
                        await hub.reapIdleSessions()
                        await hub.sweepLimits()
                        for session in await hub.dropStalledSessions() { session.closeConnection() }
                    }
                }
                group.addTask { await repeatEvery(purgeInterval) { await hub.purge() } }
            }
        }
        // Graceful shutdown (or cancellation): sessions get a closing handshake with status 1001
        // instead of a cut (gap G26), and no Error frame, which reference clients treat as final.
        let sessions = await hub.terminateAll(reason: FrameServer.shutdownReason)
        // Their last frames and closing handshake get a moment; then whatever is still open (a peer
        // that stopped reading, with writes stuck on a full socket) is cut, so the whole
        // shutdown stays within 5 s.
        try? await Task.sleep(for: shutdownGrace)
        for session in sessions { session.closeConnection() }
    }

    private func repeatEvery(_ interval: Duration, _ work: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            await work()
        }
    }
}
