import ConclaveIdentity
import ConclaveProtocol
public import CoreMetrics

/// The server's operating figures, recorded through swift-metrics so any backend can take them;
/// `serve` hands them to swift-prometheus for `GET /metrics` (Docs/OPERATIONS.md lists them).
///
/// Labels have a fixed, small set of values (an outcome, a refusal kind, a limit, a store
/// operation), never a user, machine or channel name: a scrape says how the server is doing, not
/// who is talking.
public struct ServerMetrics: Sendable {
    /// Handshakes by how they ended: `established`, `refused`, `timed_out` or `abandoned`.
    let handshakes: [HandshakeOutcome: Counter]
    /// Every `Error` frame sent, by wire code and, where a client can act on it, refusal kind.
    private let factory: any MetricsFactory
    /// Channel posts admitted.
    let posts: Counter
    /// Whispers admitted.
    let whispers: Counter
    /// Frames handed to a recipient's outbound queue (channel messages and whispers).
    let deliveries: Counter
    /// Sessions cut for not reading: `queue_full` or `write_stalled`.
    let slowConsumerCuts: [SlowConsumerCause: Counter]
    /// From an event's publication on another instance to its arrival here (a cluster only; the
    /// two clocks' skew is part of it).
    let busLag: CoreMetrics.Timer
    /// Store calls on the hot paths, timed.
    let storeTimers: [StoreOperation: CoreMetrics.Timer]
    /// Live sessions on this instance (sampled at each scrape).
    let establishedSessions: Gauge
    /// Connections between accept and the end of their handshake (sampled).
    let handshakingSessions: Gauge
    /// Posts admitted and not yet written (sampled).
    let uncommittedPosts: Gauge
    /// Whispers held for targets that are not connected yet (sampled).
    let heldWhispers: Gauge
    /// Frames waiting in all outbound queues, and in the fullest one (sampled).
    let queuedFrames: Gauge
    let deepestQueue: Gauge
    /// The process's memory, CPU time and descriptors (sampled).
    let process: ProcessFigures

    /// How a handshake ended.
    enum HandshakeOutcome: String, CaseIterable, Sendable {
        case established, refused, timedOut = "timed_out", abandoned
    }

    /// Why a session was cut as a slow consumer.
    enum SlowConsumerCause: String, CaseIterable, Sendable {
        case queueFull = "queue_full", writeStalled = "write_stalled"
    }

    /// The store calls that are timed.
    enum StoreOperation: String, CaseIterable, Sendable {
        case appendMessages = "append_messages", readHistory = "read_history", lookUpKey = "look_up_key"
    }

    /// Figures recorded into `factory`; the default records nowhere until a backend is
    /// bootstrapped, which is what in-process tests that do not look at metrics want.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        func counters<Key: RawRepresentable<String> & CaseIterable & Hashable>(_ label: String, _ dimension: String, _: Key.Type) -> [Key: Counter] {
            Dictionary(uniqueKeysWithValues: Key.allCases.map { ($0, Counter(label: label, dimensions: [(dimension, $0.rawValue)], factory: factory)) })
        }
        handshakes = counters("conclave_handshakes_total", "outcome", HandshakeOutcome.self)
        posts = Counter(label: "conclave_posts_total", factory: factory)
        whispers = Counter(label: "conclave_whispers_total", factory: factory)
        deliveries = Counter(label: "conclave_deliveries_total", factory: factory)
        slowConsumerCuts = counters("conclave_slow_consumer_cuts_total", "cause", SlowConsumerCause.self)
        busLag = CoreMetrics.Timer(label: "conclave_bus_lag_seconds", factory: factory)
        storeTimers = Dictionary(uniqueKeysWithValues: StoreOperation.allCases.map {
            ($0, CoreMetrics.Timer(label: "conclave_store_duration_seconds", dimensions: [("operation", $0.rawValue)], factory: factory))
        })
        establishedSessions = Gauge(label: "conclave_sessions", dimensions: [("state", "established")], factory: factory)
        handshakingSessions = Gauge(label: "conclave_sessions", dimensions: [("state", "handshaking")], factory: factory)
        uncommittedPosts = Gauge(label: "conclave_uncommitted_posts", factory: factory)
        heldWhispers = Gauge(label: "conclave_held_whispers", factory: factory)
        queuedFrames = Gauge(label: "conclave_outbound_queued_frames", factory: factory)
        deepestQueue = Gauge(label: "conclave_outbound_queue_depth_max", factory: factory)
        process = ProcessFigures(factory: factory)
    }

    /// Counts an `Error` frame sent to a client.
    func refused(_ error: ProtocolError) {
        let kind = Refusal.Kind(error).map { String(describing: $0) } ?? Self.limitKind(of: error) ?? "other"
        Counter(label: "conclave_refusals_total", dimensions: [("code", Self.code(of: error)), ("kind", kind)], factory: factory).increment()
    }

    /// Counts a limit that refused something, by its `--limit` name.
    func limitTripped(_ limit: ServerLimits.Key) {
        Counter(label: "conclave_limit_trips_total", dimensions: [("limit", limit.rawValue)], factory: factory).increment()
    }

    /// Runs a store call and records how long it took (failures included).
    func timed<T, Failure: Error>(
        _ operation: StoreOperation, isolation: isolated (any Actor)? = #isolation, _ body: () async throws(Failure) -> T
    ) async throws(Failure) -> T {
        let started = ContinuousClock.now
        defer { storeTimers[operation]?.recordNanoseconds(started.duration(to: .now).wholeNanoseconds) }
        return try await body()
    }


    private static func code(of error: ProtocolError) -> String {
        switch error {
        case .versionMismatch: "version_mismatch"
        case .malformedFrame: "malformed_frame"
        case .unauthorized: "unauthorized"
        case .notFound: "not_found"
        case .internal: "internal"
        }
    }

    /// The two families of limit refusal, told apart by the texts `Refusal` makes for them.
    private static func limitKind(of error: ProtocolError) -> String? {
        guard case let .internal(text) = error else { return nil }
        if text.hasPrefix("rate limited:") { return "rate_limited" }
        if text.hasPrefix("limit reached:") { return "limit_reached" }
        return nil
    }
}
