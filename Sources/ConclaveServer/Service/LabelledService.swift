import ConclaveTransport
import ServiceLifecycle
import Synchronization

/// A service whose failure says which service failed, so the server's error names the listener,
/// the metrics listener, the cluster link or maintenance instead of one blanket label.
struct LabelledService: Service {
    /// Whether a listener got its socket: a failure before is a bind failure, after is not.
    final class Binding: Sendable {
        private let bound = Atomic(false)

        /// Notes that the listener is bound (call from its `onRunning`).
        func markBound() { bound.store(true, ordering: .releasing) }

        var isBound: Bool { bound.load(ordering: .acquiring) }
    }

    let base: any Service
    let label: @Sendable (any Error) -> ServerError

    func run() async throws {
        do {
            try await base.run()
        } catch let error as ServerError {
            throw error
        } catch {
            throw label(error)
        }
    }

    /// `base` under `name` in a service group, its failure reported as
    /// ``ServerError/serviceFailed(service:reason:)``.
    static func configuration(_ base: any Service, name: String) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: LabelledService(base: base) { error in
            .serviceFailed(service: name, reason: NetworkErrorText.describe(error))
        }, serviceName: name)
    }

    /// A listener on `address`: a failure before `binding` is marked is
    /// ``ServerError/bindFailed(address:reason:)``, one after is the service's.
    static func listener(
        _ base: any Service, name: String, address: String, binding: Binding
    ) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: LabelledService(base: base) { error in
            binding.isBound
                ? .serviceFailed(service: name, reason: NetworkErrorText.describe(error))
                : .bindFailed(address: address, reason: NetworkErrorText.describe(error))
        }, serviceName: name)
    }
}
