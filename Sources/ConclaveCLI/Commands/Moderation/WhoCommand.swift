import ArgumentParser
import ConclaveProtocol

/// `conclave who [channel]`: live sessions on the server or in a channel.
struct WhoCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "List the live sessions in a channel, or on the whole server.",
        discussion: "This command's own short-lived session is left out.")

    @Argument(help: "The channel (default: every session on the server).")
    var channel: String?

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
