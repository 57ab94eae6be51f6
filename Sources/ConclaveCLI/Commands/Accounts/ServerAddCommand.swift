import ArgumentParser
import ConclaveIdentity

/// `conclave server add <url>`: records a server on which this key is already enrolled.
struct ServerAddCommand: AsyncParsableCommand, GlobalOptionsProviding {
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
