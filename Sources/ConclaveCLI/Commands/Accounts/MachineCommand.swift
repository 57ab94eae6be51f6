import ArgumentParser

/// `conclave machine`: the machines enrolled in your account on a server.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Add, list or remove the machines of your account on a server.",
        subcommands: [MachineAddCommand.self, MachineListCommand.self, MachineRemoveCommand.self]
    )
}
