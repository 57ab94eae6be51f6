import ArgumentParser
import ConclaveTransport

/// Scenario 2: authenticated connections established per second (Ed25519 verify included).
struct HandshakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "handshake", abstract: "Authenticated connections per second.")

    @Option var url: String
    @Option var connections = 2_000
    @Option var concurrency = 32

    func run() async throws {
        let fleet = try await Fleet.register(url: url, username: "hs\(UInt32.random(in: 0...UInt32.max))")
        let next = Counter()
        let total = connections
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    while true {
                        let index = next.increment()
                        guard index <= total else { return }
                        _ = try await fleet.client("h\(worker)-\(index)").withSession { session in session.path }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Report.seconds(started.duration(to: .now))
        Report.print([
            "scenario": "handshake", "connections": total, "concurrency": concurrency, "seconds": Report.rounded(seconds),
            "connections_per_second": Int(Double(total) / seconds),
        ])
    }
}
