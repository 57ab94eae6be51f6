import ArgumentParser
import ConclaveProtocol

/// A verb that applies one acknowledged admin operation to a user in a channel (`acl add`,
/// `acl remove`, `ban`, `unban`): each declares its arguments and names the operation.
protocol ChannelUserVerb: AsyncParsableCommand, GlobalOptionsProviding {
    var user: String { get }
    var channel: ChannelOption { get }
    var server: ServerOptions { get }

    /// The operation to send.
    static func operation(channel: String, user: String) -> AdminOp
}

extension ChannelUserVerb {
    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(Self.operation(channel: channel.channel, user: user), fallback: user))
    }
}
