import ArgumentParser

/// `conclave bans --channel C`.
struct BansCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "bans", abstract: "List the users banned from a channel.")

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.admin(.banList(channel: channel.channel)))
        guard case let .userList(users) = reply else { throw remote.unexpected(reply) }
        try Listing.emit(users: users, header: "BANNED", options: output, emptyNote: "nobody is banned from `\(channel.channel)`")
    }
}
