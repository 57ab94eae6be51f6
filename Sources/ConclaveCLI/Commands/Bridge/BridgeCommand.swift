import ArgumentParser
import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Logging

/// `conclave bridge [--server URL]... [--as HANDLE]`: the MCP stdio server for one Claude Code
/// session.
struct BridgeCommand: AsyncParsableCommand, GlobalOptionsProviding, LongRunningVerb {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Run the MCP bridge for one Claude Code session (stdio; started by Claude Code).",
        discussion: """
            Links to every registered server (or those given with --server) as \
            <user>/<machine>/<handle>. The handle defaults to the working directory's name and gets a \
            -2, -3 suffix if another live session holds it; --as pins it. stdout carries only MCP \
            JSON-RPC; the log goes to bridge.log in the config directory. Register once per project, \
            with its delivery hooks, with: conclave setup claude
            """
    )

    @Option(name: .customLong("server"), help: ArgumentHelp("Link only to this registered server (repeatable).", valueName: "url"))
    var servers: [String] = []

    @Option(name: .customLong("as"), help: ArgumentHelp("Pin the session handle instead of using the directory name.", valueName: "handle"))
    var handle: String?

    @Option(help: ArgumentHelp(
        "How inbound messages reach the session: channel (push notifications; needs Claude Code's channels feature) or hooks (pulled by `conclave hook`, as `conclave setup claude` installs).",
        valueName: "mode"), transform: DeliveryMode.parse)
    var delivery: DeliveryMode = .channel

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let directory = try global.directory()
        let key = try KeyStore(directory: directory).load()
        let config = try ConfigFile(directory: directory).load()
        let registrations = try Self.select(servers, from: config)
        let sessionHandle: SessionHandle
        if let handle {
            try SessionPath.validateComponent(handle, kind: .session)
            sessionHandle = SessionHandle(base: handle, isExplicit: true)
        } else {
            sessionHandle = SessionHandle(base: SessionHandle.defaultBase(forDirectory: FileManager.default.currentDirectoryPath), isExplicit: false)
        }
        let logger = Logger(label: "conclave.bridge")
        logger.info("bridge starting", metadata: ["servers": "\(registrations.map(\.url))", "handle": "\(sessionHandle.base)"])
        var options = BridgeRunner.Options(directory: directory, key: key, config: config, registrations: registrations, handle: sessionHandle)
        options.delivery = delivery
        await BridgeRunner.run(
            options,
            stdoutFailed: { reason in
                Logger(label: "conclave.bridge").notice("stdout closed; the bridge ends", metadata: ["reason": "\(reason)"])
                Foundation.exit(0)
            })
        // stdin ended. Links may still be closing; the session is over either way.
        Foundation.exit(0)
    }

    /// The registrations to link: all, or those named by `--server` (normalised; an unknown one
    /// is an error rather than silently ignored).
    static func select(_ wanted: [String], from config: ClientConfig) throws -> [Registration] {
        guard !wanted.isEmpty else {
            guard !config.servers.isEmpty else {
                throw CLIError("no known server to connect to (register one first with `conclave register`, or pass --server)")
            }
            return config.servers
        }
        return try wanted.map { text in
            let url = try ServerURL(text)
            guard let registration = config.registration(for: url) else {
                throw CLIError("no registration for `\(url)` (see `conclave server list`, or run `conclave register` first)")
            }
            return registration
        }
    }
}
