/// Time limits for client connections (CLI.md §3.3).
public struct TransportTimeouts: Sendable, Hashable {
    /// TCP + TLS + WebSocket upgrade + handshake.
    public var connect: Duration
    /// Waiting for one reply.
    public var reply: Duration

    /// Creates a set of limits.
    public init(connect: Duration = .seconds(10), reply: Duration = .seconds(15)) {
        self.connect = connect
        self.reply = reply
    }

    /// The reference's limits: 10 s to connect, 15 s per reply.
    public static let standard = TransportTimeouts()
}
