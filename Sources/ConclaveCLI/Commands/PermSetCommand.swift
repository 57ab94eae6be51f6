import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave perm set <level> [--server S] [--channel C | --whisper]`.
struct PermSetCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set the machine default, or a level for one channel or for whispers on one server.",
        discussion: """
            Without --channel or --whisper: sets the machine default. With one of them, sets that \
            scope on --server, which may be left out when exactly one server is registered. Running \
            bridges apply the change within a second or so.
            """
    )

    @Argument(help: "mute, notify, converse or act.")
    var level: String

    @Option(help: "The server the override applies to (ws:// or wss:// URL; default: the only registered one).")
    var server: String?

    @Option(help: "The channel the override applies to.")
    var channel: String?

    @Flag(help: "Apply to whispers on --server instead of a channel.")
    var whisper = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            _ = try PermissionLevel(token: level)
            _ = try PermissionScopeRules.scope(server: server ?? "ws://placeholder", channel: channel, whisper: whisper, serverGiven: server != nil)
        }
    }

    func run() throws {
        let level = try PermissionLevel(token: level)
        let directory = try global.directory()
        let file = ConfigFile(directory: directory)
        // A scope without --server means the only registered server, as for every other verb.
        let serverText = try server ?? ((channel != nil || whisper) ? ServerOptions.onlyRegistered(in: directory).text : nil)
        let scope = try PermissionScopeRules.scope(server: serverText, channel: channel, whisper: whisper)
        var unregistered: ServerURL?
        try file.update { config in
            if let (server, scope) = scope {
                config.setPermission(level, server: server, scope: scope)
                if config.registration(for: server) == nil { unregistered = server }
            } else {
                config.defaultPermission = level
            }
        }
        try Output.line("✓ permission updated (running bridges apply it within a second or so)")
        if let unregistered {
            Output.note("note: this machine has no registration for `\(unregistered)` yet; the override takes effect once it does (see `conclave server list`)")
        }
    }
}

/// The flag combinations `perm set` accepts, checked after the level and before any write.
enum PermissionScopeRules {
    /// `nil` for the machine default, else the override's server and scope.
    static func scope(server: String?, channel: String?, whisper: Bool, serverGiven: Bool = true) throws -> (ServerURL, PermissionScope)? {
        guard let server else {
            if channel != nil || whisper {
                throw CLIError("--channel / --whisper need a server: pass --server, or register exactly one")
            }
            return nil
        }
        switch (channel, whisper) {
        case (nil, false):
            if !serverGiven { return nil }
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
