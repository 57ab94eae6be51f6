import ArgumentParser
import ConclaveProtocol

/// A verb that lists usernames of one channel (`acl list`, `bans`): each declares its arguments
/// and names the request and the column.
protocol ChannelUserListVerb: AsyncParsableCommand, GlobalOptionsProviding {
    var channel: ChannelOption { get }
    var server: ServerOptions { get }
    var output: OutputOptions { get }

    /// The request to send.
    static func operation(channel: String) -> AdminOp
    /// The table's column header.
    static var header: String { get }
    /// What stderr says when the list is empty.
    static func emptyNote(channel: String) -> String
}

extension ChannelUserListVerb {
    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.admin(Self.operation(channel: channel.channel)))
        guard case let .userList(users) = reply else { throw remote.unexpected(reply) }
        try Listing.emit(users: users, header: Self.header, options: output, emptyNote: Self.emptyNote(channel: channel.channel))
    }
}
