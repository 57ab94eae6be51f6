/// Events between server instances that share a store.
///
/// Delivery is at most once and in publish order per publisher; a subscription that breaks and
/// resumes reports ``ClusterBusInput/resumed``, after which the receiver catches up from the store
/// (channel messages by number) and reloads what it mirrors.
public protocol ClusterBus: Sendable {
    /// Tells every instance (this one included) about `event`.
    func publish(_ event: ClusterEvent) async throws(StoreError)
    /// Delivers events to `handler` until the calling task is cancelled, reconnecting as needed.
    func run(handler: @escaping @Sendable (ClusterBusInput) async -> Void) async
}
