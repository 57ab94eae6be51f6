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
