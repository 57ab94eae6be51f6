public import ConclaveProtocol
import ConclaveTransport

extension ControlSession {
    /// Hands every frame from the server to `handle` until it returns a result, keeping the
    /// connection alive meanwhile: an application `Ping` every `interval`, and a
    /// ``TransportError/timedOut(url:phase:seconds:)`` when nothing at all arrives for
    /// `silenceLimit` (a half-open connection; the connection is closed then).
    ///
    /// With a `deadline`, reaching it returns `nil` (the connection is closed: nothing more is
    /// wanted from it). `handle` may use the session (requests, sends) while it runs.
    ///
    /// This is the one streaming loop of the client side: `tail`, `approve`, `send --wait` and
    /// the bridge's links all run on it.
    public mutating func stream<Result>(
        pingEvery interval: Duration,
        silenceLimit: Duration,
        until deadline: ContinuousClock.Instant? = nil,
        _ handle: (inout ControlSession, ProtocolMessage) async throws -> Result?
    ) async throws -> Result? {
        let outbound = outbound
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    try await outbound.send(.ping)
                }
            }
            defer { group.cancelAll() }
            while true {
                var limit = silenceLimit
                if let deadline {
                    let left = ContinuousClock.now.duration(to: deadline)
                    guard left > .zero else { return nil }
                    limit = min(limit, left)
                }
                let frame: ProtocolMessage
                do {
                    frame = try await next(within: limit, waitingFor: "any frame (keepalive)")
                } catch TransportError.timedOut where deadline.map { ContinuousClock.now >= $0 } ?? false {
                    return nil
                }
                if let result = try await handle(&self, frame) { return result }
            }
        }
    }
}
