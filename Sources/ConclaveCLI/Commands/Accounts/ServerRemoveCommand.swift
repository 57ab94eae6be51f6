import ArgumentParser
import ConclaveIdentity

/// `conclave server remove <url>`: forgets a registration and its overrides; no network.
struct ServerRemoveCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget a server and its permission overrides (the account on the server is kept).")

    @Argument(help: ArgumentHelp("The server URL, as `conclave server list` shows it.", valueName: "url"))
    var url: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let server = try ServerURL(url)
        let removed = try ConfigFile(directory: try global.directory()).update { $0.forget(server: server) }
        guard let removed else {
            throw CLIError("no registration for `\(url)` (see `conclave server list`)")
        }
        try Output.line("✓ forgot `\(server)` (\(removed) permission override(s) removed)")
    }
}
