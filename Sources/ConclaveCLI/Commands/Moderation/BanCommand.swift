import ArgumentParser

/// `conclave ban --channel C <user>`.
struct BanCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "ban", abstract: "Ban a user from a channel: removes membership and unsubscribes their sessions.")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.ban(channel: channel.channel, user: user), fallback: user))
    }
}
