import ArgumentParser
import ConclaveProtocol

/// `conclave user`: accounts on a server (server admins).
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "List or remove the accounts on a server (server admins).",
        subcommands: [List.self, Remove.self]
    )
}

extension UserCommand {
    /// `conclave user list`.
    struct List: AsyncParsableCommand, GlobalOptionsProviding {
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
}

extension UserCommand {
    /// `conclave user remove <username>`.
    struct Remove: ConfirmedRemoval {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove an account with its machines, memberships and channels; its sessions are disconnected.")

        @Argument(help: "The username.")
        var username: String

        @OptionGroup var confirmation: ConfirmOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var global: GlobalOptions

        var subject: String { username }

        static func operation(_ username: String) -> AdminOp { .userRemove(username: username) }

        static func question(_ username: String, server: String) -> String {
            "Remove the account `\(username)` on \(server), with its machines, memberships and channels?"
        }

        static func done(_ username: String, server: String) -> String {
            "✓ removed `\(username)` from \(server): its machines, memberships and channels are gone, and its sessions were disconnected"
        }
    }
}
