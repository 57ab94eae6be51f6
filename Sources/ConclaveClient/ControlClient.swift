public import ConclaveTransport
public import ConclaveIdentity
public import ConclaveProtocol
public import Logging

/// The one-shot client the CLI verbs use: connect, authenticate (or register), exchange one or
/// a few request/reply pairs, disconnect.
///
/// A server `Error` reply comes back as a value (`.error(…)`); transport failures are thrown as
/// ``TransportError`` naming the URL.
public struct ControlClient: Sendable {
    /// The server.
    public let url: ServerURL
    /// This machine's key.
    public let key: SigningKey
    /// The session handle; the CLI uses `cli-<pid>`.
    public let session: String
    /// How `wss://` servers are verified.
    public let tls: ClientTLS
    /// Connect and reply limits.
    public let timeouts: TransportTimeouts
    /// Protocol extensions to ask for at the upgrade (what was agreed is on the session).
    public let extensions: Set<ProtocolExtension>
    let logger: Logger

    /// Creates a client; nothing is sent until a request is made.
    public init(
        url: ServerURL, key: SigningKey, session: String, tls: ClientTLS = .systemTrustStore,
        timeouts: TransportTimeouts = .standard, extensions: Set<ProtocolExtension> = [],
        logger: Logger = Logger(label: "conclave.control")
    ) {
        self.extensions = extensions
        self.url = url
        self.key = key
        self.session = session
        self.tls = tls
        self.timeouts = timeouts
        self.logger = logger
    }

    /// Sends one frame and returns the reply.
    public func request(_ frame: ProtocolMessage) async throws -> ProtocolMessage {
        try await withSession { session in try await session.request(frame) }
    }

    /// Registers `username` with this machine's key and returns the established path.
    public func register(username: String, machine: String) async throws -> SessionPath {
        try await withSession(registration: .init(username: username, machine: machine)) { session in session.path }
    }

    /// Runs `body` with an authenticated session for several requests over one connection.
    ///
    /// `admit` runs once the WebSocket is open and before anything is sent, with the server's
    /// instance ID (`x-conclave-server-id`) when it sent one; throwing from it abandons the
    /// connection (the bridge uses it to notice one server reached under two URLs).
    public func withSession<T: Sendable>(
        registration: ClientHandshake.Registration? = nil,
        admit: @escaping @Sendable (_ serverID: String?) async throws -> Void = { _ in },
        _ body: @escaping @Sendable (inout ControlSession) async throws -> T
    ) async throws -> T {
        let key = key
        let session = session
        let timeouts = timeouts
        let url = url
        return try await FrameLink.connect(to: url, tls: tls, timeout: timeouts.connect, extensions: extensions, logger: logger) { connection in
            let watchdog = Watchdog(url: url.normalized)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await watchdog.run { await connection.outbound.close() }
                    return nil
                }
                group.addTask {
                    try await admit(connection.serverID)
                    var frames = connection.inbound.makeAsyncIterator()
                    watchdog.arm(timeouts.connect, phase: "the handshake")
                    let path: SessionPath
                    do {
                        path = try await ClientHandshake.perform(
                            on: connection, frames: &frames, key: key, session: session, registration: registration)
                    } catch {
                        throw watchdog.firedError ?? error
                    }
                    watchdog.disarm()
                    var control = ControlSession(
                        path: path, connection: connection, frames: frames, watchdog: watchdog,
                        replyTimeout: timeouts.reply)
                    let result = try await body(&control)
                    await connection.outbound.close()
                    return result
                }
                // The body's task is the one that matters; the watchdog only ends on expiry.
                while let finished = try await group.next() {
                    if let result = finished {
                        group.cancelAll()
                        return result
                    }
                }
                throw watchdog.firedError ?? TransportError.closed(url: url.normalized)
            }
        }
    }
}
