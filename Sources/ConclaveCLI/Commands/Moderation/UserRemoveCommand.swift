import ArgumentParser

/// `conclave user remove <username>`.
struct UserRemoveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an account with its machines, memberships and channels; its sessions are disconnected.")

    @Argument(help: "The username.")
    var username: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try Output.line(try await remote.acknowledged(.userRemove(username: username), fallback: username))
    }
}
