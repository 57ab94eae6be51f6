import ArgumentParser

/// `conclave acl add --channel C <user>`.
struct AclAddCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Make a user a member (also lifts a ban).")

    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.aclAdd(channel: channel.channel, user: user), fallback: user))
    }
}
