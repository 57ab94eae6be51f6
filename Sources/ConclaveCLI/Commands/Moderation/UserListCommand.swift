import ArgumentParser

/// `conclave user list`.
struct UserListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every account on the server.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.listUsers)
        guard case let .userList(users) = reply else { throw remote.unexpected(reply) }
        try Listing.emit(users: users, header: "USER", options: output, emptyNote: "no users")
    }
}
