public import ConclaveProtocol

/// The bridge core's handle on one live connection to a server.
public struct LinkConnection: Sendable {
    /// Queues a frame for the connection (in order; dropped if it has ended).
    public let send: @Sendable (ProtocolMessage) -> Void
    /// Ends the connection so the link reconnects (used to resynchronise after a lost reply).
    public let restart: @Sendable () -> Void

    /// Creates a handle from the two operations.
    public init(send: @escaping @Sendable (ProtocolMessage) -> Void, restart: @escaping @Sendable () -> Void) {
        self.send = send
        self.restart = restart
    }
}
