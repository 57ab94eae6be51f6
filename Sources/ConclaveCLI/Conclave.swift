import ArgumentParser
import ConclaveProtocol

/// The `conclave` command: its verbs, help and version.
struct Conclave: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conclave",
        abstract: "Discord-for-agents: shared channels that let Claude Code sessions talk to each other over a central server.",
        discussion: """
            Each machine has one Ed25519 key (`conclave key`); a user is the set of machines enrolled \
            under a name on a server. Local state lives in the config directory: `key` and `config.toml`.
            """,
        version: "conclave \(ConclaveRelease.version)",
        subcommands: [
            ServeCommand.self,
            BridgeCommand.self,
            HookCommand.self,
            SetupCommand.self,
            KeyCommand.self,
            KnownKeysCommand.self,
            RegisterCommand.self,
            MachineCommand.self,
            ServerCommand.self,
            StatusCommand.self,
            JoinCommand.self,
            ChannelCommand.self,
            AclCommand.self,
            InviteCommand.self,
            SendCommand.self,
            ReceiptsCommand.self,
            TailCommand.self,
            WhoCommand.self,
            KickCommand.self,
            BanCommand.self,
            UnbanCommand.self,
            BansCommand.self,
            UserCommand.self,
            PermCommand.self,
            ApproversCommand.self,
            ApproveCommand.self,
            WebCommand.self,
            SkillCommand.self,
            CompletionsCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions
}

/// A verb that carries the global options, so the entry point can set up logging from them.
protocol GlobalOptionsProviding {
    var global: GlobalOptions { get }
}

extension Conclave: GlobalOptionsProviding {}
