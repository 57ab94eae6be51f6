import ConclaveStorage
import Logging
import ServiceLifecycle

/// The instance's side of a cluster: applies what the bus brings, writes this instance's
/// sessions to the directory in order, heart-beats, and removes the sessions of instances that
/// stopped heart-beating (a killed process).
struct ClusterService: Service {
    let hub: Hub
    let link: ClusterLink
    let operations: AsyncStream<DirectoryOperation>
    let logger: Logger
    /// How often this instance says it is alive and looks for dead ones.
    var heartbeatInterval: Duration = .seconds(1)
    /// Silence after which an instance counts as dead and its sessions are removed.
    var deadAfter: Duration = .seconds(5)

    func run() async throws {
        let hub = hub
        let link = link
        do {
            try await link.directory.heartbeat()
            await hub.recordHeartbeat()
        } catch {
            logger.error("could not register this instance in the cluster directory", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await link.bus.run { input in await hub.applyCluster(input) } }
                group.addTask { await applyOperations() }
                group.addTask { await heartbeat() }
            }
        }
        do {
            try await link.directory.leave()
        } catch {
            logger.warning("could not remove this instance from the cluster directory", metadata: ["error": "\(error)"])
        }
    }

    private func applyOperations() async {
        for await operation in operations {
            do {
                switch operation {
                case let .claim(entry):
                    if let previous = try await link.directory.claim(entry), previous.node != link.nodeID {
                        // The same path was connected to another instance: end it there.
                        try await link.bus.publish(.superseded(path: entry.path, token: entry.token))
                    }
                case let .release(path, token):
                    try await link.directory.release(path: path, token: token)
                case let .subscribe(path, token, channel):
                    try await link.directory.subscribe(path: path, token: token, to: channel)
                case let .unsubscribe(path, channel):
                    try await link.directory.unsubscribe(path: path, from: channel)
                }
            } catch {
                logger.warning("cluster directory update failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func heartbeat() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: heartbeatInterval)
            } catch {
                return
            }
            do {
                if try await link.directory.heartbeat() {
                    // The others took this instance for dead and removed its sessions: list them again.
                    logger.warning("this instance was missing from the cluster directory; announcing its sessions again")
                    await hub.reannounceSessions()
                }
                await hub.recordHeartbeat()
                let removed = try await link.directory.sweepDeadNodes(silentFor: deadAfter)
                if !removed.isEmpty {
                    logger.info("removed the sessions of a silent instance", metadata: ["sessions": "\(removed.count)"])
                }
            } catch {
                logger.warning("cluster heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
