import ArgumentParser

/// `conclave user`: accounts on a server (server admins).
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "List or remove the accounts on a server (server admins).",
        subcommands: [UserListCommand.self, UserRemoveCommand.self]
    )
}
