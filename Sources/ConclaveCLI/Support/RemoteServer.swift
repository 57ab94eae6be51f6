import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation

/// The server a networked verb talks to, with this machine's key: one-shot requests over the
/// control client, server refusals turned into errors a person can act on.
struct RemoteServer {
    let url: ServerURL
    let directory: ConfigDirectory
    let client: ControlClient

    /// The one-shot session handle, `cli-<pid>`, which never collides with a bridge's.
    static var defaultSession: String { "cli-\(ProcessInfo.processInfo.processIdentifier)" }

    /// Resolves the server and loads the key; fails before any network traffic.
    init(
        global: GlobalOptions, server: ServerOptions, session: String = RemoteServer.defaultSession, timeouts: TransportTimeouts = .standard,
        extensions: Set<ProtocolExtension> = []
    ) throws {
        let directory = try global.directory()
        let url = try server.resolve(in: directory)
        let key = try KeyStore(directory: directory).load()
        self.init(
            url: url, directory: directory, key: key, session: session,
            tls: Self.trust(for: url, in: directory, caFile: server.caFile), timeouts: timeouts, extensions: extensions)
    }

    /// A server at `url`; `tls` defaults to the trust remembered for it in config.toml.
    init(
        url: ServerURL, directory: ConfigDirectory, key: SigningKey, session: String = RemoteServer.defaultSession,
        tls: ClientTLS? = nil, timeouts: TransportTimeouts = .standard, extensions: Set<ProtocolExtension> = []
    ) {
        self.url = url
        self.directory = directory
        let tls = tls ?? Self.trust(for: url, in: directory, caFile: nil)
        client = ControlClient(url: url, key: key, session: session, tls: tls, timeouts: timeouts, extensions: extensions)
    }

    /// Signing and checking for `session`, when it agreed to `signatures` (pins in `known_keys`).
    func trust(for session: ControlSession) -> MessageTrust? {
        MessageTrust(session: session, key: client.key, knownKeys: KnownKeys(path: directory.knownKeysPath))
    }

    /// End-to-end encrypted channels for `session`, when it agreed to `e2e`.
    func endToEnd(for session: ControlSession) throws -> EndToEndChannels? {
        try EndToEndChannels(session: session, key: client.key, directory: directory)
    }

    /// The error for a server that did not agree to the e2e extension.
    func noEndToEnd() -> CLIError {
        CLIError("\(url) does not support end-to-end encrypted channels (a server without the e2e extension, such as the reference server)")
    }

    /// Runs one request on `session`; an `Error` reply is thrown as a ``CLIError``.
    func checked(_ frame: ProtocolMessage, on session: inout ControlSession) async throws -> ProtocolMessage {
        let reply = try await session.request(frame)
        if case let .error(error) = reply { throw ServerAdvice.refusal(error, url: url) }
        return reply
    }

    /// The error for a server that did not agree to the receipts extension.
    func noReceipts() -> CLIError {
        CLIError("\(url) does not support receipts (a server without the receipts extension, such as the reference server)")
    }

    /// How to verify `url`: `caFile` when given (made absolute), else the CA file its
    /// registration remembers, else the system's trust store (or `SSL_CERT_FILE`).
    static func trust(for url: ServerURL, in directory: ConfigDirectory, caFile: String?) -> ClientTLS {
        if let caFile { return .caFile(absolutePath(caFile)) }
        let remembered = (try? ConfigFile(directory: directory).load())?.registration(for: url)?.caFile
        return ClientTLS(caFile: remembered)
    }

    /// `path` made absolute against the current directory, so config.toml can remember it.
    static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Sends one request and returns the reply; an `Error` reply is thrown as a ``CLIError``.
    func request(_ frame: ProtocolMessage) async throws -> ProtocolMessage {
        try await requestReportingPath(frame).reply
    }

    /// Like ``request(_:)``, also returning the path the server gave this one-shot session.
    func requestReportingPath(_ frame: ProtocolMessage) async throws -> (path: SessionPath, reply: ProtocolMessage) {
        let (path, reply) = try await explained {
            try await client.withSession { session in (session.path, try await session.request(frame)) }
        }
        if case let .error(error) = reply { throw ServerAdvice.refusal(error, url: url) }
        return (path, reply)
    }

    /// Runs a request that must be acknowledged; returns the `✓ …` line.
    func acknowledged(_ operation: AdminOp, fallback: String) async throws -> String {
        switch try await request(.admin(operation)) {
        case let .ack(detail):
            return "✓ " + (detail ?? fallback)
        case let other:
            throw unexpected(other)
        }
    }

    /// Runs `body` with transport failures rewritten into advice that names the URL.
    func explained<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as TransportError {
            throw ServerAdvice.transport(error, url: url)
        }
    }

    /// The error for a reply that makes no sense for the request.
    func unexpected(_ reply: ProtocolMessage) -> CLIError {
        if case let .error(error) = reply { return ServerAdvice.refusal(error, url: url) }
        return CLIError("unexpected response from \(url): \(reply.name) (is this a conclave server of a compatible version?)")
    }
}
