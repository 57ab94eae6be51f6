import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveWeb
import Foundation
import Logging

/// `conclave web [--port N] [--server URL]… [--as S]`: the console in a browser.
struct WebCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Open a console in your browser: channels, whispers, presence, autonomy levels and permission prompts.",
        discussion: """
            Serves a page on 127.0.0.1 only and prints its URL, which carries a random token: requests \
            without it, from another origin, or naming another host are refused. The console connects to \
            every registered server (or those given with --server) with this machine's key, as session \
            web-<pid> (or --as), and follows every channel you may read. Messages it sees are kept in a \
            searchable index, web/console.sqlite in the config directory (0600). Ctrl-C stops it.
            """
    )

    @Option(help: ArgumentHelp("The loopback port to serve on (default: a free one).", valueName: "port"))
    var port: Int = 0

    @Option(name: .customLong("server"), help: ArgumentHelp("Follow only this registered server (repeatable).", valueName: "url"))
    var servers: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("The session handle on every server (default: web-<pid>).", valueName: "session"))
    var session: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let session { try UsageCheck.value { try SessionPath.validateComponent(session, kind: .session) } }
    }

    func run() async throws {
        let directory = try global.directory()
        let key = try KeyStore(directory: directory).load()
        let config = try ConfigFile(directory: directory).load()
        let registrations = try BridgeCommand.select(servers, from: config)
        let servers = try registrations.map { registration in
            let url = try ServerURL(registration.url)
            return (url: url, tls: RemoteServer.trust(for: url, in: directory, caFile: nil))
        }
        let webDirectory = directory.path + "/web"
        do {
            try FileManager.default.createDirectory(atPath: webDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("could not create `\(webDirectory)`: \(error.localizedDescription)")
        }
        let console = try WebConsole(
            configuration: WebConsole.Configuration(
                directory: directory, key: key, servers: servers, session: session ?? "web-\(ProcessInfo.processInfo.processIdentifier)",
                port: port, indexPath: webDirectory + "/console.sqlite"),
            logger: Logger(label: "conclave.web"))
        do {
            try await console.run { url in
                // The token is the console's only secret: printed for the person, never logged.
                try? Output.line("Conclave console: \(url)")
                Output.note("open it in a browser on this machine; Ctrl-C stops the console")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("the console stopped: \(error)")
        }
    }
}
