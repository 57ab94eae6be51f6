import ArgumentParser

/// `conclave channel`: create and administer channels.
struct ChannelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channel",
        abstract: "Create, list, rename, delete channels or change their visibility.",
        discussion: """
            Visibility: public (listed, anyone may join), unlisted (not listed, anyone who knows the \
            name may join), private (members and invite holders only). The creator administers the \
            channel, as do server admins.
            """,
        subcommands: [
            ChannelCreateCommand.self, ChannelListCommand.self, ChannelRenameCommand.self,
            ChannelSetVisibilityCommand.self, ChannelDeleteCommand.self,
        ]
    )
}
