import ArgumentParser
import ConclaveProtocol

/// `conclave channel list`: public channels and your memberships (all channels for server admins).
struct ChannelListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List public channels and the channels you are a member of.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        // Which channels are end-to-end encrypted is asked too where the server can say.
        let remote = try RemoteServer(global: global, server: server, extensions: [.e2e])
        let (reply, encrypted) = try await remote.explained {
            try await remote.client.withSession { session -> (ProtocolMessage, Set<String>) in
                let reply = try await session.request(.listChannels)
                guard session.extensions.contains(.e2e), case let .encryptedChannels(names) = try await session.request(.listEncrypted) else {
                    return (reply, [])
                }
                return (reply, Set(names))
            }
        }
        guard case let .channelList(channels) = reply else { throw remote.unexpected(reply) }
        try Listing.emit(channels, columns: [
            .text("CHANNEL", "name", \.name), .text("VISIBILITY", "visibility", \.visibility.token),
            ListingColumn(header: "MEMBER", key: "member", cell: { $0.member ? "yes" : "" }) { .bool($0.member) },
            ListingColumn(header: "E2E", key: "e2e", cell: { encrypted.contains($0.name) ? "yes" : "" }) { .bool(encrypted.contains($0.name)) },
        ], options: output, emptyNote: "no channels yet (create one with `conclave channel create <name>`)")
    }
}
