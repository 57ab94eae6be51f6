import ArgumentParser

/// `conclave perm`: local autonomy levels (never sent to a server).
struct PermCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perm",
        abstract: "Show or set how much inbound messages may drive your agent (mute, notify, converse, act).",
        discussion: """
            Levels are local to this machine. Resolution: the override for (server, channel) or the \
            server's whisper scope, else the machine default, else notify.
            """,
        subcommands: [PermShowCommand.self, PermSetCommand.self]
    )
}
