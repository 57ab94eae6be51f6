import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave perm set <level> [--server S] [--channel C | --whisper]`.
struct PermSetCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set the machine default, or a level for one channel or for whispers on one server.",
        discussion: """
            Without --server: sets the machine default. With --server: pass exactly one of \
            --channel <name> or --whisper. Running bridges keep their levels; a live session changes \
            its level with the set_perm tool.
            """
    )

    @Argument(help: "mute, notify, converse or act.")
    var level: String

    @Option(help: "The server the override applies to (ws:// or wss:// URL).")
    var server: String?

    @Option(help: "The channel the override applies to.")
    var channel: String?

    @Flag(help: "Apply to whispers on --server instead of a channel.")
    var whisper = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let level = try PermissionLevel(token: level)
        let file = ConfigFile(directory: try global.directory())
        let scope = try PermissionScopeRules.scope(server: server, channel: channel, whisper: whisper)
        var unregistered: ServerURL?
        try file.update { config in
            if let (server, scope) = scope {
                config.setPermission(level, server: server, scope: scope)
                if config.registration(for: server) == nil { unregistered = server }
            } else {
                config.defaultPermission = level
            }
        }
        try Output.line("✓ permission updated (applies to newly started bridges; a live session changes levels with its `set_perm` tool)")
        if let unregistered {
            Output.note("note: this machine has no registration for `\(unregistered)` yet; the override takes effect once it does (see `conclave server list`)")
        }
    }
}

/// The flag combinations `perm set` accepts, checked after the level and before any write.
enum PermissionScopeRules {
    /// `nil` for the machine default, else the override's server and scope.
    static func scope(server: String?, channel: String?, whisper: Bool) throws -> (ServerURL, PermissionScope)? {
        guard let server else {
            if channel != nil || whisper {
                throw CLIError("--channel / --whisper require --server")
            }
            return nil
        }
        switch (channel, whisper) {
        case (nil, false):
            throw CLIError("--server needs an explicit scope: pass --channel <name> or --whisper")
        case (.some, true):
            throw CLIError("--channel and --whisper are mutually exclusive")
        case let (.some(name), false):
            try SessionPath.validateComponent(name, kind: .channel)
            return (try ServerURL(server), .channel(name))
        case (nil, true):
            return (try ServerURL(server), .whisper)
        }
    }
}
