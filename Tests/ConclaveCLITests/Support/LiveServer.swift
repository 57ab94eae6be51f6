import Foundation

/// A real `conclave serve` process on a free loopback port, with a temporary data directory.
/// The process is killed when the value is released (``BackgroundProcess``).
final class LiveServer {
    let process: BackgroundProcess
    /// `host:port` it listens on.
    let address: String
    /// The URL clients use, e.g. `ws://127.0.0.1:41234/` (`wss://` when serving TLS).
    var url: String { "\(secure ? "wss" : "ws")://\(address)/" }
    let dataDirectory: TemporaryConfig
    let admins: [String]
    let limits: [String]
    /// More `serve` arguments (TLS files, flags), kept for restarts.
    let extraArguments: [String]
    var secure: Bool { extraArguments.contains("--tls-cert") }

    private init(
        process: BackgroundProcess, address: String, dataDirectory: TemporaryConfig, admins: [String], limits: [String],
        extraArguments: [String]
    ) {
        self.process = process
        self.address = address
        self.dataDirectory = dataDirectory
        self.admins = admins
        self.limits = limits
        self.extraArguments = extraArguments
    }

    /// Starts a server and waits until it listens.
    static func start(
        admins: [String] = [], limits: [String] = [], bind: String = "127.0.0.1:0",
        dataDirectory: TemporaryConfig = TemporaryConfig(), extraArguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws -> LiveServer {
        var arguments = ["serve", "--bind", bind, "--data-dir", dataDirectory.path] + extraArguments
        for admin in admins { arguments += ["--admin", admin] }
        for limit in limits { arguments += ["--limit", limit] }
        let process = try BackgroundProcess(arguments, environment: ["CONCLAVE_LOG_FORMAT": "json"].merging(environment) { $1 })
        guard let line = await process.stderr.first(containing: "conclave server listening"),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let fields = object["fields"] as? [String: Any], let address = fields["addr"] as? String
        else {
            throw LiveServerError(detail: "the server did not start: \(process.stderr.all.joined(separator: "\n"))")
        }
        return LiveServer(
            process: process, address: address, dataDirectory: dataDirectory, admins: admins, limits: limits,
            extraArguments: extraArguments)
    }

    /// Stops this server (SIGTERM) and starts a new one on the same address and data directory.
    ///
    /// Clients keep the URL, so the port must be the same; if another process took it in the
    /// moment it was free, a few more attempts are made, then the failure says so.
    func restarted() async throws -> LiveServer {
        _ = await process.stop()
        var lastError: (any Error)?
        for _ in 0..<10 {
            do {
                return try await Self.start(
                    admins: admins, limits: limits, bind: address, dataDirectory: dataDirectory, extraArguments: extraArguments)
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        throw LiveServerError(detail: "could not restart on \(address): \(lastError.map { "\($0)" } ?? "unknown")")
    }
}

struct LiveServerError: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}

/// One person's (or machine's) `conclave` with its own config directory.
struct Identity: Sendable {
    let config = TemporaryConfig()

    /// Runs `conclave --config-dir <dir> <arguments>`.
    func run(_ arguments: [String], stdin: Data? = nil) async throws -> CLIProcess.Result {
        try await CLIProcess.run(["--config-dir", config.path] + arguments, stdin: stdin)
    }

    /// Runs `conclave --config-dir <dir> <arguments>` in the background.
    func start(_ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(["--config-dir", config.path] + arguments)
    }

    /// A new identity registered as `username` on `server` from `machine`.
    static func registered(_ username: String, machine: String, on server: LiveServer) async throws -> Identity {
        let identity = Identity()
        try await identity.register(username, machine: machine, on: server)
        return identity
    }

    /// Registers `username` on `server` as `machine`, requiring success.
    @discardableResult
    func register(_ username: String, machine: String, on server: LiveServer) async throws -> CLIProcess.Result {
        let result = try await run(["register", "--server", server.url, "--username", username, "--machine", machine])
        guard result.status == 0 else { throw LiveServerError(detail: "register failed: \(result.stderr)") }
        return result
    }
}
