import Logging
#if OTLP
import OTel
import ServiceLifecycle
import Tracing
#endif

/// What `serve` reports beyond its own log on stderr: with `CONCLAVE_OTLP_ENDPOINT` set, in a
/// build with the `OTLP` package trait, traces and logs go to that OTLP/HTTP endpoint too
/// (through swift-otel), as the reference's server does.
///
/// Without the trait the variable is acknowledged with a warning and nothing else happens, so a
/// server never stops serving for want of telemetry. Metrics are not exported over OTLP: they are
/// scraped from `GET /metrics`.
struct ServeTelemetry {
    /// The logger `serve` and the server use: stderr, and the exporter when it is on.
    let logger: Logger
    /// Runs the exporters until ``shutdown()``; `nil` when there are none.
    let run: (@Sendable () async throws -> Void)?
    /// Flushes what is queued and stops the exporters.
    let shutdown: @Sendable () async -> Void

    /// Whether this binary was built with the `OTLP` trait.
    static var isAvailable: Bool {
        #if OTLP
        true
        #else
        false
        #endif
    }

    /// Telemetry for `environment`: an exporter when `CONCLAVE_OTLP_ENDPOINT` is set and this
    /// build has one, otherwise the plain logger.
    static func make(label: String, environment: [String: String]) throws -> ServeTelemetry {
        let plain = Logger(label: label)
        guard let endpoint = environment["CONCLAVE_OTLP_ENDPOINT"], !endpoint.isEmpty else {
            return ServeTelemetry(logger: plain, run: nil, shutdown: {})
        }
        #if OTLP
        return try exporting(to: endpoint, label: label)
        #else
        // Telemetry must never stop a server from serving; say plainly that it is off.
        plain.warning("CONCLAVE_OTLP_ENDPOINT is set but this build has no OTLP exporter (build with `--traits OTLP`); serving without it")
        return ServeTelemetry(logger: plain, run: nil, shutdown: {})
        #endif
    }

    #if OTLP
    private static func exporting(to endpoint: String, label: String) throws -> ServeTelemetry {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        var configuration = OTel.Configuration.default
        configuration.serviceName = "conclave"
        // swift-otel's own notes (export failures, settings taken from OTEL_*) go through our log
        // handler, in our format, from warnings up.
        configuration.diagnosticLogger = .custom(Logger(label: "conclave.otlp"))
        configuration.diagnosticLogLevel = .warning
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.endpoint = base + "/v1/traces"
        configuration.logs.otlpExporter.endpoint = base + "/v1/logs"
        let logs = try OTel.makeLoggingBackend(configuration: configuration)
        let traces = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(traces.factory)
        let exportLog = logs.factory
        // Every line still reaches stderr; the exporter gets the same lines (never a message
        // body, an invite token or key material: the server does not log them).
        let logger = Logger(label: label) { label in MultiplexLogHandler([Logger(label: label).handler, exportLog(label)]) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [logs.service, traces.service], logger: Logger(label: "conclave.otlp")))
        logger.info("exporting traces and logs over OTLP/HTTP", metadata: ["endpoint": "\(base)"])
        return ServeTelemetry(logger: logger, run: { try await group.run() }, shutdown: { await group.triggerGracefulShutdown() })
    }
    #endif
}
