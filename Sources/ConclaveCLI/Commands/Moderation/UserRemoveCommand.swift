import ArgumentParser

/// `conclave user remove <username>`.
struct UserRemoveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an account with its machines, memberships and channels; its sessions are disconnected.")

    @Argument(help: "The username.")
    var username: String

    @OptionGroup var confirmation: ConfirmOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        try confirmation.confirm("Remove the account `\(username)` on \(remote.url.text), with its machines, memberships and channels?")
        _ = try await remote.acknowledged(.userRemove(username: username), fallback: username)
        try Output.line("✓ removed `\(username)` from \(remote.url.text): its machines, memberships and channels are gone, and its sessions were disconnected")
    }
}
