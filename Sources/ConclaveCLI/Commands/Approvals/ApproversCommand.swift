import ArgumentParser

/// `conclave approvers`: who may answer this machine's Claude Code permission prompts.
struct ApproversCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvers",
        abstract: "List, add or remove the users who may answer this machine's Claude Code permission prompts.",
        discussion: """
            When a session asks Claude Code for permission to run a tool, the bridge whispers the \
            request to the live sessions of these users (on the same server), who answer with \
            `conclave approve`. With no approvers, nothing is relayed and only the local prompt decides. \
            Running bridges pick up changes within a second.
            """,
        subcommands: [ApproversListCommand.self, ApproversAddCommand.self, ApproversRemoveCommand.self]
    )
}
