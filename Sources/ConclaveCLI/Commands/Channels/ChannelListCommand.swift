import ArgumentParser

/// `conclave channel list`: public channels and your memberships (all channels for server admins).
struct ChannelListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List public channels and the channels you are a member of.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.listChannels)
        guard case let .channelList(channels) = reply else { throw remote.unexpected(reply) }
        var table = Table("CHANNEL", "VISIBILITY", "MEMBER")
        for channel in channels { table.append(channel.name, channel.visibility.token, channel.member ? "yes" : "") }
        let json = JSONDocument.array(channels.map {
            .object(["name": .string($0.name), "visibility": .string($0.visibility.token), "member": .bool($0.member)])
        })
        try Listing.emit(table, json: json, options: output, emptyNote: "no channels yet (create one with `conclave channel create <name>`)")
    }
}
