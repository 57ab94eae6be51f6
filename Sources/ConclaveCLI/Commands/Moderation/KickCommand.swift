import ArgumentParser
import ConclaveProtocol

/// `conclave kick --channel C <target>`.
struct KickCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "kick",
        abstract: "Unsubscribe a session (user/machine/session) or all of a user's sessions from a channel.",
        discussion: "The kicked sessions are told, and may join again; use `ban` to keep someone out.")

    @Argument(help: "A user/machine/session path, or a username.")
    var target: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        if target.contains("/") { _ = try SessionPath(parsing: target) }
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.kick(channel: channel.channel, target: target), fallback: target))
    }
}
