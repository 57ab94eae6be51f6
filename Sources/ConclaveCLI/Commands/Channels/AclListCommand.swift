import ArgumentParser

/// `conclave acl list --channel C`.
struct AclListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a channel's members.")

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.admin(.aclList(channel: channel.channel)))
        guard case let .userList(users) = reply else { throw remote.unexpected(reply) }
        try Listing.emit(users: users, header: "MEMBER", options: output, emptyNote: "`\(channel.channel)` has no members")
    }
}
