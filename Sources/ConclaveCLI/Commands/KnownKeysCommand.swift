import ArgumentParser
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol

/// `conclave known-keys`: the machine keys this machine pinned the first time each signed (like
/// ssh's `known_hosts`), checked against what a server lists, and forgotten after a re-enrolment.
struct KnownKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "known-keys",
        abstract: "List, check or forget the machine keys pinned for signed messages.",
        discussion: """
            A signed message counts as verified when it is signed by the key pinned for its sender's \
            machine; the first key seen signing is pinned. A machine enrolled again with a new key then \
            reads as `invalid` until its old pin is forgotten here, after you confirmed the new key with \
            its owner (`conclave key` prints it on their machine).
            """,
        subcommands: [List.self, Check.self, Forget.self]
    )

    /// `conclave known-keys list`.
    struct List: ParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the pinned machine keys.")

        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let pins = try KnownKeys(path: try global.directory().knownKeysPath).pins()
            try Listing.emit(pins, columns: [
                .text("SERVER ID", "server_id", \.server), .text("USER", "user", \.user), .text("MACHINE", "machine", \.machine),
                .text("PUBLIC KEY", "pubkey", \.key.text),
            ], options: output, emptyNote: "no keys pinned yet (they are pinned as signed messages arrive)")
        }
    }

    /// `conclave known-keys check USER`.
    struct Check: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Compare a user's machine keys, as the server lists them, with the pinned ones.")

        @Argument(help: "The username.")
        var user: String

        @OptionGroup var server: ServerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let remote = try RemoteServer(global: global, server: server, extensions: [.signatures])
            let user = user
            let (serverID, reply) = try await remote.explained {
                try await remote.client.withSession { session -> (String?, ProtocolMessage?) in
                    guard session.extensions.contains(.signatures) else { return (nil, nil) }
                    return (session.serverID, try await session.request(.keyQuery(user: user)))
                }
            }
            guard let serverID, let reply else {
                throw CLIError("\(remote.url) does not list machine keys (a server without the signatures extension, such as the reference server)")
            }
            guard case let .keyList(_, machines) = reply else { throw remote.unexpected(reply) }
            let pins = KnownKeys(path: remote.directory.knownKeysPath)
            var table = Table("MACHINE", "PUBLIC KEY", "PINNED")
            var rows: [JSONDocument] = []
            for machine in machines {
                let pinned = try pins.pinned(server: serverID, user: user, machine: machine.name)
                let state = switch pinned?.text {
                case nil: "not yet"
                case machine.pubkey?: "yes"
                case let other?: "DIFFERS: pinned \(other)"
                }
                table.append(machine.name, machine.pubkey, state)
                rows.append(.object([
                    "machine": .string(machine.name), "pubkey": .string(machine.pubkey), "pinned": pinned.map { .string($0.text) } ?? .null,
                ]))
            }
            try Listing.emit(table, json: .array(rows), options: output, emptyNote: "`\(user)` has no machines on \(remote.url)")
        }
    }

    /// `conclave known-keys forget USER/MACHINE`.
    struct Forget: ParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "forget", abstract: "Forget the pinned key of a machine, so the next key that signs for it is pinned.")

        @Argument(help: "The machine, as USER/MACHINE.")
        var machine: String

        @Option(name: .customLong("server-id"), help: "Only on the server with this instance ID (see `known-keys list`).")
        var serverID: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard machine.split(separator: "/", omittingEmptySubsequences: false).count == 2 else {
                throw ValidationError("give the machine as USER/MACHINE")
            }
        }

        func run() throws {
            let parts = machine.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let forgotten = try KnownKeys(path: try global.directory().knownKeysPath).forget(user: parts[0], machine: parts[1], server: serverID)
            guard forgotten > 0 else { throw CLIError("no key is pinned for \(machine)") }
            try Output.line("✓ forgot \(forgotten) pinned key(s) of \(machine); the next key that signs for it is pinned")
        }
    }
}
