import ArgumentParser
import ConclaveIdentity

/// `--server <url>` for networked verbs; optional when exactly one server is registered.
struct ServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The server (ws:// or wss:// URL). May be omitted when exactly one server is registered.",
            valueName: "url"))
    var server: String?

    @OptionGroup var ca: CAFileOption

    /// `--ca-file`, if given.
    var caFile: String? { ca.caFile }

    /// The server to talk to: `--server` (normalised), else the only registration.
    func resolve(in directory: ConfigDirectory) throws -> ServerURL {
        if let server { return try ServerURL(server) }
        return try Self.onlyRegistered(in: directory)
    }

    /// A malformed `--server` is a usage error.
    func validate() throws {
        if let server { try UsageCheck.value { _ = try ServerURL(server) } }
    }

    /// The only registered server; with none or several, an error that says what to pass.
    static func onlyRegistered(in directory: ConfigDirectory) throws -> ServerURL {
        let servers = try ConfigFile(directory: directory).load().servers
        switch servers.count {
        case 0:
            throw CLIError("no --server given and no server is registered: pass --server <url>, or run `conclave register --server <url> --username <you>` first")
        case 1:
            return try ServerURL(servers[0].url)
        default:
            let list = servers.map { "  " + $0.url }.joined(separator: "\n")
            throw CLIError("several servers are registered; pass --server with one of:\n\(list)")
        }
    }
}
