import ArgumentParser
import ConclaveProtocol

/// A verb that applies one acknowledged admin operation to a user in a channel (`acl add`,
/// `acl remove`, `ban`, `unban`): each declares its ``ChannelUserArguments`` and names the
/// operation.
protocol ChannelUserVerb: AsyncParsableCommand, GlobalOptionsProviding {
    var target: ChannelUserArguments { get }

    /// The operation to send.
    static func operation(channel: String, user: String) -> AdminOp
}

/// `<user> --channel C`, the server and the global options: what every ``ChannelUserVerb`` takes.
struct ChannelUserArguments: ParsableArguments {
    @Argument(help: "The username.")
    var user: String

    @OptionGroup var channel: ChannelOption
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions
}

extension ChannelUserVerb {
    var global: GlobalOptions { target.global }

    func run() async throws {
        let remote = try RemoteServer(global: global, server: target.server)
        try Output.line(try await remote.acknowledged(Self.operation(channel: target.channel.channel, user: target.user), fallback: target.user))
    }
}
