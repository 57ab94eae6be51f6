import ArgumentParser

/// `conclave server`: the servers this machine is registered on (local state).
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "List, add or forget the servers this machine is registered on.",
        subcommands: [ServerListCommand.self, ServerAddCommand.self, ServerRemoveCommand.self]
    )
}
