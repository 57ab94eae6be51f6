public import ConclaveStorage
import ConclaveIdentity
import Logging
import NIOCore
import PostgresNIO

/// ``ClusterBus`` on PostgreSQL's LISTEN/NOTIFY: one dedicated LISTEN connection per instance,
/// reconnected with backoff when it drops; each (re)start is reported as
/// ``ClusterBusInput/resumed`` so the hub catches up from the store.
public struct PostgresBus: ClusterBus {
    let store: PostgresStore
    let connection: PostgresConnection.Configuration
    let logger: Logger

    public func publish(_ event: ClusterEvent) async throws(StoreError) {
        let envelope = BusEnvelope(origin: store.nodeID, event: event, sentMs: EpochClock.nowMs())
        let text: String
        do {
            text = try envelope.encoded()
        } catch {
            throw StoreError("could not encode a bus event: \(error)")
        }
        let logger = logger
        let channel = BusEnvelope.channel
        try await store.withConnection("publish") { connection in
            if text.utf8.count <= BusEnvelope.maximumBytes {
                try await connection.query("SELECT pg_notify(\(channel), \(text))", logger: logger)
            } else {
                // Too large for a notification: the row and the notice naming it commit together.
                try await connection.withTransaction(logger: logger) { connection in
                    var spilled: Int64 = 0
                    for try await id in try await connection.query(
                        "INSERT INTO bus_spill (body) VALUES (\(text)) RETURNING id", logger: logger
                    ).decode(Int64.self) {
                        spilled = id
                    }
                    try await connection.query("SELECT pg_notify(\(channel), \(BusEnvelope.spillPrefix + String(spilled)))", logger: logger)
                }
            }
        }
    }

    public func run(handler: @escaping @Sendable (ClusterBusInput) async -> Void) async {
        var delay = Duration.milliseconds(100)
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let listener = try await PostgresConnection.connect(configuration: connection, id: connectionID, logger: logger)
                delay = .milliseconds(100)
                do {
                    try await listener.listen(on: BusEnvelope.channel) { notifications in
                        // Listening now: whatever was published while not listening is in the store.
                        await handler(.resumed)
                        for try await notification in notifications {
                            guard let envelope = await envelope(from: notification.payload) else {
                                logger.warning("ignored a bus notification that is not an event", metadata: ["bytes": "\(notification.payload.utf8.count)"])
                                continue
                            }
                            await handler(.event(envelope.event, origin: envelope.origin, sentMs: envelope.sentMs))
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("bus connection lost; reconnecting", metadata: ["error": "\(PostgresStore.describe(error))"])
                    }
                }
                try? await listener.close()
            } catch {
                if !Task.isCancelled {
                    logger.warning("bus connection failed; retrying", metadata: ["error": "\(PostgresStore.describe(error))"])
                }
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// The event a notification carries, reading a spilled one from the store.
    private func envelope(from payload: String) async -> BusEnvelope? {
        guard payload.hasPrefix(BusEnvelope.spillPrefix) else { return BusEnvelope.decode(payload) }
        guard let id = Int64(payload.dropFirst(BusEnvelope.spillPrefix.count)) else { return nil }
        let logger = logger
        let body = try? await store.withConnection("read spilled event") { connection in
            try await PostgresStore.rows(connection.query("SELECT body FROM bus_spill WHERE id = \(id)", logger: logger), as: String.self).first
        }
        return (body ?? nil).flatMap(BusEnvelope.decode)
    }
}
