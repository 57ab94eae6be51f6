/// Runs `operation`, failing with `onTimeout()` if it has not finished within `duration`.
///
/// The operation runs in a child task that is cancelled on timeout, so nothing outlives the call.
public func withTimeout<T: Sendable>(
    _ duration: Duration,
    onTimeout: @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw onTimeout()
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else {
            throw onTimeout()
        }
        return result
    }
}
