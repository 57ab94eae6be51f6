import ArgumentParser

/// `conclave setup claude`.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Connect a coding agent to Conclave in one step.",
        subcommands: [SetupClaudeCommand.self]
    )
}
