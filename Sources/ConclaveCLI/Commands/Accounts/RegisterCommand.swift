import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

/// `conclave register --server <url> --username <name> [--machine <name>]`.
struct RegisterCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Claim a username on a server with this machine's key, and remember the server.",
        discussion: """
            Creates the machine key on first use. The server is recorded in config.toml only after it \
            accepted the registration. To add another machine to an existing account, run \
            `conclave machine add` on an enrolled machine instead.
            """
    )

    @Option(help: ArgumentHelp("The server (ws:// or wss:// URL).", valueName: "url"))
    var server: String

    @Option(help: "The username to claim.")
    var username: String

    @Option(help: "This machine's name in the account (default: the host name).")
    var machine: String?

    @OptionGroup var ca: CAFileOption

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            _ = try ServerURL(server)
            try NamePolicy.validate(username, kind: .username)
            if let machine { try SessionPath.validateComponent(machine, kind: .machine) }
        }
    }

    func run() async throws {
        let url = try ServerURL(server)
        try SessionPath.validateComponent(username, kind: .username)
        let machine = try machine ?? Hostname.current()
        try SessionPath.validateComponent(machine, kind: .machine)
        let directory = try global.directory()
        let file = ConfigFile(directory: directory)
        // A config that cannot be saved must stop us before the server records the claim.
        _ = try file.load()
        let key = try KeyStore(directory: directory).loadOrCreate().key
        let caFile = ca.caFile.map(RemoteServer.absolutePath)
        let remote = RemoteServer(url: url, directory: directory, key: key, tls: RemoteServer.trust(for: url, in: directory, caFile: caFile))
        let path: SessionPath
        do {
            path = try await remote.client.register(username: username, machine: machine)
        } catch let TransportError.handshakeRejected(_, refusal) {
            throw CLIError("registration rejected by \(url): \(refusal)" + Self.hint(for: refusal, url: url))
        } catch let error as TransportError {
            throw ServerAdvice.transport(error, url: url)
        }
        try ServerRecord.save(url: url, path: path, caFile: caFile, in: file, action: "registered")
        // The account and machine, not this one-shot connection's throwaway session handle.
        try Output.line("✓ registered \(path.user) on \(url.text) (this machine is `\(path.machine)`)")
    }

    private static func hint(for refusal: ProtocolError, url: ServerURL) -> String {
        switch Refusal.Kind(refusal) {
        case .keyAlreadyEnrolled?:
            return " (this key already belongs to an account there; run `conclave server add \(url)` to record it here)"
        case .usernameTaken?:
            return " (choose another --username; if the account is yours, enrol this machine from one of your machines with `conclave machine add`)"
        case .usernameReservedForAnotherKey?:
            return " (an admin pinned this name to another key; register from the machine holding it)"
        default:
            // The account-without-machines refusal already says who can free the name.
            return ""
        }
    }
}
