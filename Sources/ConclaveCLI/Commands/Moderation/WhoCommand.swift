import ArgumentParser
import ConclaveProtocol

/// `conclave who [channel | --channel C]`: live sessions on the server or in a channel.
struct WhoCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "List the live sessions in a channel, or on the whole server.",
        discussion: "This command's own short-lived session is left out.")

    @Argument(help: ArgumentHelp("The channel (default: every session on the server).", valueName: "channel"))
    var channelArgument: String?

    // `--channel`, as `send`, `tail` and the moderation verbs take it; the positional form is the
    // reference's and stays.
    @Option(name: .customLong("channel"), help: ArgumentHelp("The channel, as the other verbs take it (same as the argument).", valueName: "channel"))
    var channelOption: String?

    /// The channel asked about, by either spelling.
    var channel: String? { channelOption ?? channelArgument }

    func validate() throws {
        if let channelOption, let channelArgument, channelOption != channelArgument {
            throw ValidationError("two different channels given (`\(channelArgument)` and --channel `\(channelOption)`): give one")
        }
        if let channel { try UsageCheck.value { try SessionPath.validateComponent(channel, kind: .channel) } }
    }

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let (own, reply) = try await remote.requestReportingPath(.who(channel: channel))
        guard case let .presence(scope, all) = reply else { throw remote.unexpected(reply) }
        let sessions = all.filter { $0 != own }
        var table = Table("USER", "MACHINE", "SESSION")
        for path in sessions { table.append(path.user, path.machine, path.session) }
        let json = JSONDocument.object([
            "channel": .optional(scope),
            "sessions": .array(sessions.map {
                .object([
                    "path": .string($0.description), "user": .string($0.user), "machine": .string($0.machine),
                    "session": .string($0.session),
                ])
            }),
        ])
        let place = scope.map { "in `\($0)`" } ?? "on the server"
        try Listing.emit(table, json: json, options: output, emptyNote: "no other live sessions \(place)")
    }
}
