import ArgumentParser

/// `conclave unban --channel C <user>`.
struct UnbanCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "unban", abstract: "Lift a ban (does not make the user a member; see `acl add`).")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.unban(channel: channel.channel, user: user), fallback: user))
    }
}
