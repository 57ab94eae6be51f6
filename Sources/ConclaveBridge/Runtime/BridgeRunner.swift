public import ConclaveIdentity
import ConclaveClient
import ConclaveTransport
import Foundation
import Logging

/// Runs a bridge on stdin/stdout until stdin ends.
public enum BridgeRunner {
    /// What a bridge needs to start.
    public struct Options: Sendable {
        /// Where `key` and `config.toml` live (level changes are saved there).
        public var directory: ConfigDirectory
        /// This machine's key.
        public var key: SigningKey
        /// The configuration read at start.
        public var config: ClientConfig
        /// The registrations to link to.
        public var registrations: [Registration]
        /// The session handle.
        public var handle: SessionHandle
        /// Timing and limits.
        public var settings = BridgeSettings()
        /// How inbound messages reach the agent.
        public var delivery = DeliveryMode.channel

        /// Options for a bridge.
        public init(directory: ConfigDirectory, key: SigningKey, config: ClientConfig, registrations: [Registration], handle: SessionHandle) {
            self.directory = directory
            self.key = key
            self.config = config
            self.registrations = registrations
            self.handle = handle
        }
    }

    /// Serves MCP on stdin/stdout and links to every server until stdin ends. `stdoutFailed`
    /// runs when the client can no longer be written to.
    public static func run(_ options: Options, stdoutFailed: @escaping @Sendable (String) -> Void) async {
        let writer = StdoutWriter(onFailure: stdoutFailed)
        let configFile = ConfigFile(directory: options.directory)
        let core = BridgeCore(
            config: options.config, registrations: options.registrations, handle: options.handle, configFile: configFile,
            settings: options.settings, inbound: spool(for: options), write: { writer.write($0.serialized()) })
        let claims = ServerIdentityClaims()
        let timeouts = TransportTimeouts(connect: options.settings.connectTimeout, reply: options.settings.replyTimeout)
        let lines = StdinLines.start()
        await withTaskGroup(of: Void.self) { group in
            for (rank, target) in await core.linkTargets.enumerated() {
                let link = ServerLink(
                    url: target.url, rank: rank, signingKey: options.key, knownKeys: KnownKeys(path: options.directory.knownKeysPath),
                    directory: options.directory, core: core, claims: claims,
                    tls: ClientTLS(caFile: target.caFile), timeouts: timeouts)
                group.addTask { await link.run() }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    await core.tick()
                }
            }
            group.addTask {
                await ConfigWatcher(file: configFile).run(
                    generation: { await core.configGeneration }, apply: { await core.reload($0, generation: $1) })
            }
            for await line in lines {
                let message = line.map(IncomingMessage.classify)
                    ?? .invalid(id: .null, code: .invalidRequest, message: "invalid request: the line is longer than \(StdinLines.maximumLine) bytes")
                await core.handle(message)
            }
            group.cancelAll()
        }
        // What the core wrote last (replies to the final requests) reaches the client before the
        // process exits, unless the client stopped reading.
        await writer.drain(within: .seconds(2))
    }

    /// The session's delivery spool when hooks deliver: keyed by this process's parent (the
    /// Claude Code process, which its hooks know as `CLAUDE_PID`). `nil` (push) when delivery is
    /// by channel notifications, or when the spool cannot be set up (said in the log).
    static func spool(for options: Options) -> DeliverySpool? {
        guard options.delivery == .hooks else { return nil }
        let logger = Logger(label: "conclave.bridge")
        let clientPID = getppid()
        DeliverySpool.sweep(options.directory)
        let spool = DeliverySpool(directory: options.directory, clientPID: clientPID)
        do {
            try spool.attach(
                bridgePID: getpid(), clientPID: clientPID, sessionID: ProcessInfo.processInfo.environment["CLAUDE_CODE_SESSION_ID"])
            logger.info("hooks deliver inbound messages", metadata: ["spool": "\(spool.file.path)"])
            return spool
        } catch {
            logger.error("the delivery spool could not be set up; pushing channel notifications instead", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
