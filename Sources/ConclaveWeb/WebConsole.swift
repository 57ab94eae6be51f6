public import ConclaveIdentity
import ConclaveClient
import ConclaveProtocol
public import ConclaveTransport
import Hummingbird
public import Logging

/// `conclave web`: a console in the person's browser, served on this machine's loopback only,
/// for every server this machine is registered with.
///
/// It runs with this machine's key, as one session per server (like a bridge does), so the
/// server needs no new login scheme and end-to-end encrypted channels open here too. The page
/// asks its API for state and long-polls for events; everything it may do is behind the token
/// in the URL this prints (``ConsoleGuard``).
public struct WebConsole: Sendable {
    /// What the console serves and follows.
    public struct Configuration: Sendable {
        /// This machine's config directory (key, config.toml, known keys, channel keys).
        public var directory: ConfigDirectory
        /// This machine's signing key.
        public var key: SigningKey
        /// The servers to follow, with how to verify each one's TLS.
        public var servers: [(url: ServerURL, tls: ClientTLS)]
        /// The session handle on every server.
        public var session: String
        /// The loopback port to serve on; 0 picks a free one.
        public var port: Int
        /// Where the index of seen messages lives; `nil` keeps it in memory.
        public var indexPath: String?

        /// Creates a configuration.
        public init(directory: ConfigDirectory, key: SigningKey, servers: [(url: ServerURL, tls: ClientTLS)], session: String, port: Int, indexPath: String?) {
            self.directory = directory
            self.key = key
            self.servers = servers
            self.session = session
            self.port = port
            self.indexPath = indexPath
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let token: ConsoleToken

    /// Prepares a console with a new random token.
    public init(configuration: Configuration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        token = try ConsoleToken()
    }

    /// Serves until cancelled or interrupted (SIGINT/SIGTERM); `onReady` receives the URL to
    /// open, token included, once the listener is bound.
    public func run(onReady: @escaping @Sendable (String) async -> Void) async throws {
        let index = try configuration.indexPath.map { try ConsoleIndex(path: $0) } ?? ConsoleIndex()
        let keys = configuration.servers.map(\.url.normalized)
        let state = ConsoleState(servers: keys)
        var inboxes: [String: CommandInbox] = [:]
        var watchers: [ServerWatcher] = []
        for (url, tls) in configuration.servers where inboxes[url.normalized] == nil {
            let inbox = CommandInbox()
            inboxes[url.normalized] = inbox
            let client = ControlClient(
                url: url, key: configuration.key, session: configuration.session, tls: tls, extensions: [.signatures, .e2e])
            watchers.append(ServerWatcher(
                url: url, client: client, directory: configuration.directory, state: state, index: index, inbox: inbox, logger: logger))
        }
        let port = BoundPort()
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ConsoleGuard<BasicRequestContext>(token: token, port: port))
        ConsoleRoutes(state: state, index: index, inboxes: inboxes, directory: configuration.directory, token: token).register(on: router)
        let token = token
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                port.set(bound)
                await onReady("http://127.0.0.1:\(bound)/?token=\(token.text)")
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for watcher in watchers {
                group.addTask { await watcher.run() }
            }
            group.addTask { try await application.runService() }
            // The application ends on a signal; the watchers only when cancelled.
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
