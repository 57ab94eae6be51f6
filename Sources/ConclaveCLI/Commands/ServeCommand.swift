import ArgumentParser
import ConclaveServer
import ConclaveStorage
import ConclavePostgres
import ConclaveSQLite
import ConclaveTransport
import Foundation
import Logging

/// `conclave serve`: run the central server.
struct ServeCommand: AsyncParsableCommand, GlobalOptionsProviding, LongRunningVerb {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the central server.",
        discussion: """
            Listens for Conclave clients on a WebSocket (GET /) and answers GET /health with `ok`. \
            State lives in --data-dir (SQLite, WAL mode); --ephemeral keeps everything in memory; \
            --store postgres://… shares one PostgreSQL database among several instances (a cluster \
            behind a load balancer: see Docs/OPERATIONS.md). \
            SIGTERM or SIGINT shut down gracefully: each live connection is closed with WebSocket status 1001 \
            (going away), so clients reconnect to the restarted server.
            Environment: CONCLAVE_BIND, CONCLAVE_DATA_DIR, CONCLAVE_STORE, PGPASSWORD, CONCLAVE_ADMINS (comma-separated), \
            CONCLAVE_LIMITS (comma-separated NAME=VALUE, applied before --limit).

            Flood limits (refusals are Error frames naming the limit and when to retry; heartbeats, \
            presence and leaving are never limited). RATE is COUNT/UNIT[:BURST] with UNIT s, min or h; \
            any limit can be `off`. Defaults:
            \(ServeCommand.limitDefaults)
            """
    )

    @Option(help: "Address to listen on, host:port (default 0.0.0.0:4390, env CONCLAVE_BIND).")
    var bind: String?

    @Option(name: .customLong("data-dir"), help: "Directory of the persistent store (env CONCLAVE_DATA_DIR).")
    var dataDir: String?

    @Flag(help: "Keep all state in memory; it is lost when the server stops.")
    var ephemeral = false

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "A PostgreSQL database shared by every instance of a cluster, postgres://USER@HOST[:PORT]/DB "
            + "(?host=/socket/dir, ?sslmode=disable|prefer|require; password in the URL or PGPASSWORD; env CONCLAVE_STORE).",
        valueName: "url"))
    var store: String?

    @Option(name: .customLong("admin"), help: ArgumentHelp(
        "A server admin, USER or USER=PUBKEY (pinned to that key); repeatable, comma-separated allowed (env CONCLAVE_ADMINS).",
        valueName: "user[=pubkey]"))
    var admins: [String] = []

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain, to serve wss:// directly (with --tls-key).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Flag(name: .customLong("behind-proxy"), help: ArgumentHelp(
        "A TLS-terminating proxy is in front: serving plain ws:// on a network address is intended (env CONCLAVE_BEHIND_PROXY=1)."))
    var behindProxy = false

    @Option(name: .customLong("limit"), help: ArgumentHelp(
        "Set one flood limit, e.g. post-rate=20/s:100 or max-body=256KiB or join-rate=off (repeatable; names below).",
        valueName: "name=value"))
    var limits: [String] = []

    @Flag(help: "Switch every flood limit off (benchmarks, trusted single-user setups).")
    var unlimited = false

    @Option(name: .customLong("metrics-bind"), help: ArgumentHelp(
        "Serve GET /metrics (Prometheus) on its own address, host:port, instead of the client listener; `off` serves it nowhere "
            + "(env CONCLAVE_METRICS_BIND).",
        valueName: "host:port|off"))
    var metricsBind: String?

    @OptionGroup var global: GlobalOptions

    static var limitDefaults: String {
        let defaults = ServerLimits()
        return ServerLimits.Key.allCases.map { "  \($0.rawValue)=\(defaults[$0])  \($0.summary)" }.joined(separator: "\n")
    }

    func validate() throws {
        if admins.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--admin needs a username (USER or USER=PUBKEY)")
        }
        if !admins.isEmpty { try UsageCheck.value { _ = try AdminAllowlist(parsing: admins) } }
        if let bind { try UsageCheck.value { _ = try ServerConfiguration.parseBind(bind) } }
        if let metricsBind, metricsBind != "off" { try UsageCheck.value { _ = try ServerConfiguration.parseBind(metricsBind) } }
        for setting in limits {
            var probe = ServerLimits()
            try UsageCheck.value { try probe.apply(setting) }
        }
    }

    /// Defaults, then CONCLAVE_LIMITS, then each --limit; --unlimited first switches all off.
    private func serverLimits(environment: [String: String]) throws -> ServerLimits {
        var result = unlimited ? ServerLimits.unlimited : ServerLimits()
        let fromEnvironment = (environment["CONCLAVE_LIMITS"] ?? "").split(separator: ",").map(String.init)
        for setting in fromEnvironment + limits where !setting.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                try result.apply(setting)
            } catch {
                // A usage mistake: exit status 2 with the expected form.
                throw ValidationError(error.description)
            }
        }
        return result
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let dataDirectory = dataDir ?? environment["CONCLAVE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        let storeURL = store ?? environment["CONCLAVE_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        let storage: any StoreBackend
        switch (dataDirectory, ephemeral, storeURL) {
        case let (path?, false, nil):
            storage = SQLiteBackend.directory(path)
        case (nil, true, nil):
            storage = SQLiteBackend.ephemeral
        case let (nil, false, url?):
            do {
                storage = try PostgresBackend(url: url, environment: environment)
            } catch {
                throw ValidationError(error.description)
            }
        case (.some, true, _):
            throw ValidationError("--ephemeral conflicts with --data-dir (or CONCLAVE_DATA_DIR): choose one")
        case (_, _, .some):
            throw ValidationError("--store (or CONCLAVE_STORE) conflicts with --data-dir and --ephemeral: choose one")
        case (nil, false, nil):
            throw CLIError(
                "`serve` requires `--data-dir <path>` for persistent storage (or `--ephemeral` for a throwaway in-memory store, "
                    + "or `--store postgres://…` for a cluster)")
        }
        let (host, port) = try ServerConfiguration.parseBind(bind ?? environment["CONCLAVE_BIND"] ?? "0.0.0.0:4390")
        let adminValues = admins.isEmpty ? (environment["CONCLAVE_ADMINS"].map { [$0] } ?? []) : admins
        let tls: ServerTLS?
        switch (tlsCertificate, tlsKey) {
        case let (certificate?, key?): tls = ServerTLS(certificateChainPath: certificate, privateKeyPath: key)
        case (nil, nil): tls = nil
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        var settings = HubSettings()
        settings.limits = try serverLimits(environment: environment)
        var configuration = ServerConfiguration(
            host: host, port: port, storage: storage, admins: try AdminAllowlist(parsing: adminValues), tls: tls,
            settings: settings)
        switch metricsBind ?? environment["CONCLAVE_METRICS_BIND"] {
        case nil, "": break
        case "off": configuration.metrics = .off
        case let text?:
            let (host, port) = try ServerConfiguration.parseBind(text)
            configuration.metrics = .separate(host: host, port: port)
        }
        configuration.behindTLSProxy = behindProxy || ["1", "true", "yes"].contains(environment["CONCLAVE_BEHIND_PROXY"]?.lowercased() ?? "")
        let telemetry = try ServeTelemetry.make(label: "conclave.serve", environment: environment)
        let logger = telemetry.logger
        if let warning = configuration.cleartextWarning {
            logger.warning("\(warning)")
        }
        // The exporters run beside the server and flush what is queued once it has stopped.
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if let run = telemetry.run { tasks.addTask { try await run() } }
            do {
                try await ServerRuntime(configuration: configuration, logger: logger).run()
            } catch {
                await telemetry.shutdown()
                throw error
            }
            logger.info("server stopped")
            await telemetry.shutdown()
            try await tasks.waitForAll()
        }
    }
}
