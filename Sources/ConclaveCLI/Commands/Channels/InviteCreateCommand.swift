import ArgumentParser
import ConclaveProtocol

/// `conclave invite create --channel C [--uses N] [--expires-in D]`.
struct InviteCreateCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an invite token for a channel.")

    @OptionGroup var channel: ChannelOption

    // Unconditional, so `--uses -1` is read as a (refused) value rather than a missing one.
    @Option(parsing: .unconditional, help: "How many times the token may be used, at least 1 (default: unlimited).")
    var uses: UInt32?

    @Option(help: ArgumentHelp("How long the token is valid, e.g. 90, 30m, 2h, 7d, 1h30m (default: forever).", valueName: "duration"))
    var expiresIn: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if uses == 0 { throw ValidationError("--uses must be at least 1 (leave it out for unlimited uses)") }
        try UsageCheck.value { _ = try expiresIn.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) } }
    }

    func run() async throws {
        let seconds = try expiresIn.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) }
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.admin(.inviteCreate(channel: channel.channel, uses: uses, expiresInSecs: seconds)))
        guard case let .inviteToken(token) = reply else { throw remote.unexpected(reply) }
        try Output.line("invite token: \(token)")
    }
}
