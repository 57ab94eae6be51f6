import ConclaveStorage
import ConclavePostgres
import ConclaveSQLite
import ConclaveTesting
import Foundation
import GRDB
import Logging
import Testing

/// Migrations run once when several instances start together, and a store migrated by a newer
/// binary is refused rather than written to.
@Suite("Store schema versions")
struct StoreSchemaTests {
    @Test func instancesStartingTogetherMigrateOnce() async throws {
        let postgres = try await PostgresServer.shared()
        let url = try await postgres.makeDatabase()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await StoreKind.withOpened(try PostgresBackend(url: url, environment: [:])) { try await $0.store.instanceID() }
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        let database = String(URLComponents(string: url)?.path.dropFirst() ?? "")
        #expect(try await postgres.sql("SELECT string_agg(version::text, ',') FROM conclave_schema", database: database) == "3")
    }

    @Test func aPostgreSQLStoreMigratedByANewerBinaryIsRefused() async throws {
        let postgres = try await PostgresServer.shared()
        let url = try await postgres.makeDatabase()
        _ = try await StoreKind.withOpened(try PostgresBackend(url: url, environment: [:])) { _ in }
        let database = String(URLComponents(string: url)?.path.dropFirst() ?? "")
        try await postgres.sql("UPDATE conclave_schema SET version = 99", database: database)
        await #expect {
            _ = try await PostgresBackend(url: url, environment: [:]).open(logger: Logger(label: "test"))
        } throws: { error in
            guard case .schemaTooNew(found: 99, supported: 3) = error as? StoreOpenError else { return false }
            return "\(error)".contains("newer than this binary")
        }
    }

    @Test func anSQLiteStoreMigratedByANewerBinaryIsRefused() async throws {
        let path = NSTemporaryDirectory() + "conclave-schema-" + UUID().uuidString + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        _ = try await SQLiteStore(path: path).instanceID()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            guard case .schemaTooNew = error as? StoreOpenError else { return false }
            return true
        }
    }

    @Test func anSQLiteStoreKeepsItsInstanceIDAcrossReopening() async throws {
        let path = NSTemporaryDirectory() + "conclave-store-" + UUID().uuidString + ".sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let first = try await SQLiteStore(path: path).instanceID()
        #expect(try await SQLiteStore(path: path).instanceID() == first)
    }

    @Test func badPostgreSQLURLsAreExplained() {
        for (url, words) in [
            ("mysql://u@h/db", "not a PostgreSQL URL"),
            ("postgres://h/db", "names no user"),
            ("postgres://u@h/db?sslmode=maybe", "unsupported sslmode"),
        ] {
            #expect {
                _ = try PostgresBackend(url: url, environment: [:])
            } throws: { error in
                "\(error)".contains(words)
            }
        }
        let parsed = try? PostgresLocation(url: "postgres://ann:secret@db.example:6543/chat", environment: [:])
        #expect(parsed?.redacted == "postgres://ann@db.example:6543/chat")
        #expect(parsed?.password == "secret")
        let fromEnvironment = try? PostgresLocation(url: "postgres://ann@/chat?host=/run/pg", environment: ["PGPASSWORD": "pw"])
        #expect(fromEnvironment?.endpoint == .unixSocket(path: "/run/pg/.s.PGSQL.5432"))
        #expect(fromEnvironment?.password == "pw")
    }
}
