import ArgumentParser

/// `conclave acl`: a channel's member list.
struct AclCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acl",
        abstract: "Add, remove or list the members of a channel (channel admins).",
        subcommands: [AclAddCommand.self, AclRemoveCommand.self, AclListCommand.self]
    )
}
