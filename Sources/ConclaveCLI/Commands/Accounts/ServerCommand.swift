import ArgumentParser
import ConclaveIdentity

/// `conclave server`: the servers this machine is registered on (local state).
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "List, add or forget the servers this machine is registered on.",
        subcommands: [List.self, Add.self, Remove.self]
    )
}

extension ServerCommand {
    /// `conclave server add <url>`: records a server on which this key is already enrolled.
    struct Add: AsyncParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Record a server on which this machine's key is already enrolled.",
            discussion: """
                Use this on a new machine after an enrolled machine ran `conclave machine add` for its key, \
                or to repair a lost config.toml. The key is checked against the server first; the account \
                and machine name recorded are the ones the server reports.
                """
        )

        @Argument(help: ArgumentHelp("The server (ws:// or wss:// URL).", valueName: "url"))
        var url: String

        @OptionGroup var ca: CAFileOption

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let url = try ServerURL(url)
            let directory = try global.directory()
            let file = ConfigFile(directory: directory)
            _ = try file.load()
            let caFile = ca.caFile.map(RemoteServer.absolutePath)
            let remote = RemoteServer(
                url: url, directory: directory, key: try KeyStore(directory: directory).load(),
                tls: RemoteServer.trust(for: url, in: directory, caFile: caFile))
            let path = try await remote.explained { try await remote.client.withSession { session in session.path } }
            try ServerRecord.save(url: url, path: path, caFile: caFile, in: file, action: "verified the key")
            try Output.line("✓ recorded \(url): this key signs in to account `\(path.user)` as machine `\(path.machine)`")
            Output.note(
                "If `\(path.user)` is not your account, someone enrolled your public key under theirs: run "
                    + "`conclave server remove \(url.text)`, then `conclave register --server \(url.text) --username <you>`, "
                    + "which takes the key back.")
        }
    }
}

extension ServerCommand {
    /// `conclave server list`: registrations in file order; no network.
    struct List: ParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the servers this machine is registered on.")

        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let servers = try ConfigFile(directory: try global.directory()).load().servers
            try Listing.emit(servers, columns: [
                .text("SERVER", "url", \.url), .text("USERNAME", "username", \.username), .text("MACHINE", "machine", \.machine),
            ], options: output, emptyNote: "no servers registered (see `conclave register`)")
        }
    }
}

extension ServerCommand {
    /// `conclave server remove <url>`: forgets a registration and its overrides; no network.
    struct Remove: ParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Forget a server and its permission overrides (the account on the server is kept).")

        @Argument(help: ArgumentHelp("The server URL, as `conclave server list` shows it.", valueName: "url"))
        var url: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let server = try ServerURL(url)
            let removed = try ConfigFile(directory: try global.directory()).update { config in
                let spelled = config.spelling(of: server)
                return config.forget(server: server).map { (url: spelled, overrides: $0) }
            }
            guard let removed else {
                throw CLIError("no registration for `\(url)` (see `conclave server list`)")
            }
            try Output.line("✓ forgot `\(removed.url)` (\(removed.overrides) permission override(s) removed)")
        }
    }
}
