import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Testing

/// A connected, authenticated client for tests: send frames, await what arrives.
struct TestPeer: Sendable {
    let path: SessionPath
    let connection: FrameConnection
    let mailbox: Mailbox

    func send(_ frame: ProtocolMessage) async throws {
        try await connection.outbound.send(frame)
    }

    /// The next frame, failing the test if none arrives in time.
    func next(within timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProtocolMessage {
        try #require(await mailbox.next(within: timeout), "no frame arrived within \(timeout)", sourceLocation: sourceLocation)
    }

    /// Sends a request and returns the next frame (tests arrange that no push is pending).
    func request(_ frame: ProtocolMessage, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProtocolMessage {
        try await send(frame)
        return try await next(sourceLocation: sourceLocation)
    }

    /// Proves nothing else is queued for this peer: a Ping's Pong must be the very next frame.
    func expectNothingPending(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await send(.ping)
        let frame = try await next(sourceLocation: sourceLocation)
        #expect(frame == .pong, "expected nothing before Pong, got \(frame)", sourceLocation: sourceLocation)
    }

    /// Waits until the server closes this connection; returns whether it did in time.
    func closed(within timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard await mailbox.next(within: deadline - .now) != nil else { return true }
        }
        return false
    }
}
