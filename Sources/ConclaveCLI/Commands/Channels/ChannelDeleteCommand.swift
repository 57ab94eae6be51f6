import ArgumentParser

/// `conclave channel delete <name>`.
struct ChannelDeleteCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a channel with its history, members, bans and invites.")

    @Argument(help: "The channel name.")
    var name: String

    @OptionGroup var confirmation: ConfirmOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try confirmation.confirm("Delete #\(name) on \(remote.url.text), with its history, members, bans and invites?")
        _ = try await remote.acknowledged(.deleteChannel(name: name), fallback: name)
        try Output.line("✓ deleted #\(name) on \(remote.url.text): its history, members, bans and invites are gone, and its live members were told")
    }
}
