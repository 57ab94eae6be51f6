import ArgumentParser

/// `conclave acl remove --channel C <user>`.
struct AclRemoveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a member; their live sessions leave the channel.")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.aclRemove(channel: channel.channel, user: user), fallback: user))
    }
}
