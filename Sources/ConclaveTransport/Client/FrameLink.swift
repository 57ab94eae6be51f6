public import ConclaveIdentity
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
public import ConclaveProtocol
import WSClient

/// Opens client connections to a server.
///
/// The connection exists for the duration of `body`; when it returns or throws, the connection is
/// closed. This keeps every connection owned by a task and makes leaks impossible.
///
/// ```swift
/// let path = try await FrameLink.connect(to: url, tls: .systemTrustStore) { connection in
///     var frames = connection.inbound.makeAsyncIterator()
///     return try await ClientHandshake.perform(on: connection, frames: &frames, key: key, session: "razel")
/// }
/// ```
public enum FrameLink {
    /// Connects to `url` and runs `body` with the open connection.
    ///
    /// - Parameter timeout: how long TCP, TLS and the WebSocket upgrade may take together.
    /// - Parameter logger: Conclave's transport logger (connection failures at debug); the
    ///   WebSocket client library logs under its own label.
    /// - Throws: ``TransportError`` for connection failures and timeouts, or whatever `body` throws.
    public static func connect<T: Sendable>(
        to url: ServerURL,
        tls: ClientTLS = .systemTrustStore,
        timeout: Duration = TransportTimeouts.standard.connect,
        extensions: Set<ProtocolExtension> = [],
        logger: Logger = Logger(label: "conclave.transport"),
        _ body: @escaping @Sendable (FrameConnection) async throws -> T
    ) async throws -> T {
        let sslContext: NIOSSLContext?
        if url.isSecure {
            do {
                sslContext = try NIOSSLContext(configuration: try tls.configuration())
            } catch let error as TransportError {
                throw error
            } catch {
                throw TransportError.tlsConfiguration("\(error)")
            }
        } else {
            sslContext = nil
        }
        let state = ConnectState<T>()
        let channel = LinkChannel(
            url: url, sslContext: sslContext, requestedExtensions: extensions, onChannel: { opened in state.opened(opened) }
        ) { inbound, outbound, context in
            state.connected.store(true, ordering: .releasing)
            let connection = FrameConnection(
                url: url, serverID: context.serverID,
                noticeSender: context.noticeSender.flatMap { try? SessionPath(parsing: $0) },
                extensions: ProtocolExtension.parse(context.extensions).intersection(extensions),
                inbound: FrameInbound(stream: inbound), outbound: FrameOutbound(writer: outbound))
            do {
                let value = try await body(connection)
                state.outcome.withLock { $0 = .success(value) }
            } catch {
                state.outcome.withLock { $0 = .failure(error) }
            }
        }
        // The WebSocket client's own messages ("Client connected to …") go under its label, which
        // stays at warning when Conclave's loggers are raised.
        let client = ClientConnection(channel, address: .hostname(url.host, port: url.port), logger: Logger(label: "wsclient"))
        let timedOut = TransportError.timedOut(url: url.normalized, phase: "the connection", seconds: Int(timeout.components.seconds))

        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await client.run()
                    return true
                }
                group.addTask {
                    // Only the connect phase is timed; once connected, this task just ends.
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled, !state.connected.load(ordering: .acquiring) {
                        // Closing the socket is what unblocks a connection stuck mid-upgrade.
                        state.abandon()
                        throw timedOut
                    }
                    return false
                }
                while let connectionEnded = try await group.next() {
                    if connectionEnded {
                        group.cancelAll()
                    }
                }
            }
        } catch let error as TransportError {
            throw error
        } catch {
            if state.isAbandoned { throw timedOut }
            if let result = state.outcome.withLock({ $0 }) {
                return try result.get()
            }
            logger.debug("could not connect", metadata: ["url": "\(url.normalized)", "error": "\(error)"])
            throw TransportError.connectFailed(url: url.normalized, reason: describe(error))
        }
        guard let result = state.outcome.withLock({ $0 }) else {
            if state.isAbandoned { throw timedOut }
            throw TransportError.closed(url: url.normalized)
        }
        return try result.get()
    }

    private static func describe(_ error: any Error) -> String {
        if error is NIOConnectionError || error is IOError {
            return NetworkErrorText.describe(error)
        }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's TLS certificate is not trusted (for a self-signed certificate or a private CA, give the CA's PEM file with --ca-file; `register` and `server add` remember it)"
        }
        return text
    }
}

/// What the connection's handler reports back to `connect`: whether it started, and the body's
/// result; and the socket, so a timeout can close it. A class, because atomics and mutexes cannot
/// be captured by value.
private final class ConnectState<T: Sendable>: Sendable {
    /// The socket of the attempt, as far as the timeout is concerned.
    private enum Socket {
        /// Not created yet: with a host name, it exists only once the name is resolved.
        case pending
        case open(any Channel)
        /// The connect timed out. A socket created after this is closed at once; otherwise
        /// `client.run()`, which does not react to cancellation, would wait on it for ever.
        case abandoned
    }

    let connected = Atomic<Bool>(false)
    let outcome = Mutex<Result<T, any Error>?>(nil)
    private let socket = Mutex(Socket.pending)

    /// Records the attempt's socket, or closes it if the connect has already timed out.
    func opened(_ channel: any Channel) {
        let abandoned = socket.withLock { socket -> Bool in
            if case .abandoned = socket { return true }
            socket = .open(channel)
            return false
        }
        if abandoned { channel.close(promise: nil) }
    }

    /// Gives up on the attempt: closes its socket now, or as soon as it is created.
    func abandon() {
        let open = socket.withLock { socket -> (any Channel)? in
            defer { socket = .abandoned }
            if case let .open(channel) = socket { return channel }
            return nil
        }
        open?.close(promise: nil)
    }

    /// Whether the connect timed out; then any failure of the attempt is reported as the timeout.
    var isAbandoned: Bool {
        socket.withLock { if case .abandoned = $0 { true } else { false } }
    }
}
