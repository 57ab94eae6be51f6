import ArgumentParser

/// `conclave channel delete <name>`.
struct ChannelDeleteCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a channel with its history, members, bans and invites.")

    @Argument(help: "The channel name.")
    var name: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.deleteChannel(name: name), fallback: name))
    }
}
