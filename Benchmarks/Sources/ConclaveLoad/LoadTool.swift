import ArgumentParser

/// `conclave-load`: the load generator behind the benchmark suite. Each subcommand runs one
/// scenario against a server that is already listening and prints one JSON object.
@main
struct LoadTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conclave-load",
        abstract: "Load generator for Conclave benchmarks (real protocol, many connections per process).",
        subcommands: [
            FanoutCommand.self, LatencyCommand.self, HandshakeCommand.self, IdleCommand.self, HistoryCommand.self,
            FloorServerCommand.self, RawFloorServerCommand.self, CrashCommand.self, HostileCommand.self, SoakCommand.self,
            ProvenanceCommand.self,
        ]
    )
}
