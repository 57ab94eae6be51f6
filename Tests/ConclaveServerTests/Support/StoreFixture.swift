import ConclaveStorage
import ConclavePostgres
import ConclaveSQLite
import ConclaveTesting
import Logging
import Testing

/// The backends every store contract test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, empty store of this kind for the duration of `body`.
    func withStore<T: Sendable>(_ body: @Sendable (any ConclaveStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            return try await body(try SQLiteStore.inMemory())
        case .postgres:
            let url = try await PostgresServer.shared().makeDatabase()
            return try await Self.withOpened(try PostgresBackend(url: url, environment: [:])) { try await body($0.store) }
        }
    }

    /// Opens `backend`, runs its background work beside `body`, and stops it afterwards.
    static func withOpened<T: Sendable>(
        _ backend: any StoreBackend, _ body: @Sendable (OpenedStore) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.store")
        logger.logLevel = .error
        let opened = try await backend.open(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            if let run = opened.run { group.addTask { await run() } }
            defer { group.cancelAll() }
            do {
                let result = try await body(opened)
                await opened.close()
                return result
            } catch {
                await opened.close()
                throw error
            }
        }
    }
}
