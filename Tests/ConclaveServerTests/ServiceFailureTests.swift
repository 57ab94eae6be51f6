import ConclaveSQLite
@testable import ConclaveServer
import Logging
import ServiceLifecycle
import Testing

/// A failing service is named in the server's error: a listener that cannot bind says which
/// address, and a service that fails later says which service, instead of one blanket label.
@Suite("Service failures")
struct ServiceFailureTests {
    @Test func aTakenMetricsAddressIsReportedAsTheMetricsBindFailure() async throws {
        try await TestServer.with { taken in
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, storage: SQLiteBackend.ephemeral)
            configuration.metrics = .separate(host: "127.0.0.1", port: taken.port)
            let runtime = ServerRuntime(configuration: configuration, logger: Logger(label: "test"))
            let error = await #expect(throws: ServerError.self) {
                try await runtime.run(handleSignals: false)
            }
            guard case let .bindFailed(address, reason) = error else {
                Issue.record("expected a bind failure, got \(String(describing: error))")
                return
            }
            #expect(address == "127.0.0.1:\(taken.port)")
            #expect(reason.contains("in use"), "\(reason)")
        }
    }

    @Test func aServiceThatFailsAfterStartingIsNamed() async throws {
        struct Broken: Service, Error {
            func run() async throws { throw Broken() }
        }
        let binding = LabelledService.Binding()
        let listener = LabelledService.listener(Broken(), name: "listener", address: "[::1]:4390", binding: binding)
        await #expect(throws: ServerError.self) { try await listener.service.run() }
        binding.markBound()
        do {
            try await listener.service.run()
            Issue.record("the broken service returned")
        } catch let ServerError.serviceFailed(service, _) {
            #expect(service == "listener")
        } catch {
            Issue.record("expected a named service failure, got \(error)")
        }
        let maintenance = LabelledService.configuration(Broken(), name: "maintenance")
        do {
            try await maintenance.service.run()
        } catch let ServerError.serviceFailed(service, _) {
            #expect(service == "maintenance")
        } catch {
            Issue.record("expected a named service failure, got \(error)")
        }
    }
}
