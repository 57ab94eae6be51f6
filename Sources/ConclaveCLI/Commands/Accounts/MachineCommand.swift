import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave machine`: the machines enrolled in your account on a server.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Add, list or remove the machines of your account on a server.",
        subcommands: [Add.self, List.self, Remove.self]
    )
}

extension MachineCommand {
    /// `conclave machine add --name <name> --pubkey <key>`: enrols another machine's key.
    struct Add: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Enrol another machine's key in your account.",
            discussion: """
                On the new machine, run `conclave key` and bring the printed key here. Afterwards, run the \
                `conclave server add` command this prints on the new machine to record the server there.
                """
        )

        @Option(help: "The new machine's name in your account.")
        var name: String

        // Base64url: one key in 64 begins with `-`, which must still be read as the value.
        @Option(parsing: .unconditional, help: "The new machine's public key, as its `conclave key` prints it (43 characters).")
        var pubkey: String

        @OptionGroup var server: ServerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try SessionPath.validateComponent(name, kind: .machine)
            let key = try PublicKey(text: pubkey)
            let remote = try RemoteServer(global: global, server: server)
            try Output.line(try await remote.acknowledged(.machineAdd(name: name, pubkey: key.bytes), fallback: name))
            Output.note("next: on `\(name)`, run `conclave server add \(remote.url)` to record this server there")
        }
    }
}

extension MachineCommand {
    /// `conclave machine list`: the machines of your account.
    struct List: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the machines of your account.")

        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let remote = try RemoteServer(global: global, server: server)
            let reply = try await remote.request(.listMachines)
            guard case let .machineList(machines) = reply else { throw remote.unexpected(reply) }
            try Listing.emit(machines, columns: [
                .text("MACHINE", "name", \.name), .text("PUBLIC KEY", "pubkey", \.pubkey), .text("ADDED", "added_at", \.addedAt),
            ], options: output, emptyNote: "no machines")
        }
    }
}

extension MachineCommand {
    /// `conclave machine remove <name>`: revokes a machine of your account.
    struct Remove: ConfirmedRemoval {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Revoke one of your machines; its live sessions are disconnected.")

        @Argument(help: "The machine's name, as `conclave machine list` shows it.")
        var name: String

        @OptionGroup var confirmation: ConfirmOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var global: GlobalOptions

        var subject: String { name }

        static func operation(_ name: String) -> AdminOp { .machineRemove(name: name) }

        static func question(_ name: String, server: String) -> String {
            "Revoke the machine `\(name)` on \(server)? Its key will no longer sign in."
        }

        static func done(_ name: String, server: String) -> String {
            "✓ revoked `\(name)` on \(server): its key no longer signs in, and its live sessions were disconnected"
        }
    }
}
