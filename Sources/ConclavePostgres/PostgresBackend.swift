public import ConclaveStorage
import ConclaveIdentity
import Foundation
public import Logging
import PostgresNIO

/// ``StoreBackend`` for several server processes on one PostgreSQL database.
///
/// Takes a libpq-style URL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
/// `?host=/socket/dir` for a Unix socket and `?sslmode=disable|prefer|require` (default
/// `prefer`). The password may instead come from `PGPASSWORD`.
public struct PostgresBackend: StoreBackend {
    /// Where to connect.
    public let location: PostgresLocation

    /// Parses `url`; a bad one explains the expected form.
    public init(url: String, environment: [String: String]) throws(StoreOpenError) {
        location = try PostgresLocation(url: url, environment: environment)
    }

    public var summary: String { "postgresql \(location.redacted)" }

    public func open(logger: Logger) async throws(StoreOpenError) -> OpenedStore {
        let nodeID: String
        do {
            nodeID = try SecureRandom.token()
        } catch {
            throw .failed("could not generate an instance id: \(error)")
        }
        let connectionConfiguration = try location.connectionConfiguration()
        // Migrations on a connection of their own, before the pool exists.
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            let outcome: PostgresSchema.MigrationOutcome
            do {
                outcome = try await PostgresSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
            switch outcome {
            case let .current(applied):
                if applied > 0 { logger.info("store migrated", metadata: ["version": "\(PostgresSchema.version)", "applied": "\(applied)"]) }
            case let .tooNew(found):
                throw StoreOpenError.schemaTooNew(found: found, supported: PostgresSchema.version)
            }
        } catch let error as StoreOpenError {
            throw error
        } catch {
            throw .failed("could not reach PostgreSQL at \(location.redacted): \(PostgresStore.describe(error))")
        }
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        let store = PostgresStore(client: client, nodeID: nodeID, logger: logger)
        let bus = PostgresBus(store: store, connection: connectionConfiguration, logger: logger)
        return OpenedStore(
            store: store, cluster: ClusterLink(bus: bus, directory: store, nodeID: nodeID),
            run: { await client.run() })
    }
}
