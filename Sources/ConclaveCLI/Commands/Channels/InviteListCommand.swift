import ArgumentParser
import ConclaveProtocol

/// `conclave invite list --channel C`.
struct InviteListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a channel's live invite tokens.")

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.admin(.inviteList(channel: channel.channel)))
        guard case let .inviteList(invites) = reply else { throw remote.unexpected(reply) }
        var table = Table("TOKEN", "USES LEFT", "EXPIRES")
        for invite in invites {
            table.append(invite.token, invite.usesRemaining.map(String.init) ?? "unlimited", invite.expiresAt ?? "never")
        }
        let json = JSONDocument.array(invites.map {
            .object([
                "token": .string($0.token), "uses_remaining": .optional($0.usesRemaining), "expires_at": .optional($0.expiresAt),
            ])
        })
        try Listing.emit(table, json: json, options: output, emptyNote: "`\(channel.channel)` has no live invites")
    }
}
