import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import ConclaveClient
import Foundation

/// Several real `conclave serve --store postgres://…` processes on one fresh database of the test
/// PostgreSQL server, optionally behind a real HAProxy.
final class LiveCluster {
    /// The instances, in start order.
    private(set) var instances: [BackgroundProcess]
    /// Their `ws://` URLs.
    let urls: [String]
    /// The store URL they share.
    let storeURL: String
    let database: String
    /// The load balancer, when started.
    private(set) var balancer: BackgroundProcess?
    /// The load balancer's `ws://` URL.
    private(set) var balancerURL: String?
    private let balancerDirectory = TemporaryConfig()

    private init(instances: [BackgroundProcess], urls: [String], storeURL: String, database: String) {
        self.instances = instances
        self.urls = urls
        self.storeURL = storeURL
        self.database = database
    }

    /// Starts `count` instances at once (so they race to migrate the fresh database).
    static func start(count: Int = 3, admins: [String] = []) async throws -> LiveCluster {
        let postgres = try await PostgresServer.shared()
        let storeURL = try await postgres.makeDatabase()
        let database = String(URLComponents(string: storeURL)?.path.dropFirst() ?? "")
        var processes: [BackgroundProcess] = []
        for _ in 0..<count {
            var arguments = ["serve", "--bind", "127.0.0.1:0", "--store", storeURL, "--unlimited"]
            for admin in admins { arguments += ["--admin", admin] }
            processes.append(try BackgroundProcess(arguments, environment: ["CONCLAVE_LOG_FORMAT": "json"]))
        }
        var urls: [String] = []
        for process in processes {
            guard let line = await process.stderr.first(containing: "conclave server listening"),
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let fields = object["fields"] as? [String: Any], let address = fields["addr"] as? String
            else {
                throw LiveServerError(detail: "an instance did not start: \(process.stderr.all.joined(separator: "\n"))")
            }
            urls.append("ws://\(address)/")
        }
        return LiveCluster(instances: processes, urls: urls, storeURL: storeURL, database: database)
    }

    /// Puts HAProxy in front of every instance: WebSocket proxying, `GET /health` checks every
    /// 300 ms, and `balance first`, so every client lands on the first healthy instance.
    func startBalancer() async throws {
        let port = try Self.freePort()
        var config = """
            global
                maxconn 1000
            defaults
                mode http
                timeout connect 2s
                timeout client 1h
                timeout server 1h
                timeout tunnel 1h
            frontend conclave
                bind 127.0.0.1:\(port)
                default_backend instances
            backend instances
                balance first
                option httpchk GET /health
                default-server inter 300ms fall 2 rise 1

            """
        for (index, url) in urls.enumerated() {
            let address = url.dropFirst("ws://".count).dropLast()
            config += "    server i\(index) \(address) check maxconn 500\n"
        }
        try balancerDirectory.write(config, to: "haproxy.cfg")
        let process = try BackgroundProcess(
            ["-f", balancerDirectory.path + "/haproxy.cfg", "-db"], executable: URL(fileURLWithPath: Self.haproxyPath()))
        balancer = process
        balancerURL = "ws://127.0.0.1:\(port)/"
        // Ready once it accepts connections and its first health checks (every 300 ms) have run.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if Self.accepts(port: port) {
                try await Task.sleep(for: .milliseconds(800))
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LiveServerError(detail: "haproxy did not come up: \(process.stderr.all.joined(separator: "\n"))")
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Kills instance `index` with SIGKILL: no goodbye to anyone.
    func kill(_ index: Int) async {
        _ = await instances[index].stop(with: SIGKILL)
    }

    /// A session of `identity`'s key on instance `index` (or on `url`).
    func client(_ identity: Identity, on index: Int? = nil, url: String? = nil, session: String) throws -> ControlClient {
        let key = try KeyStore(directory: ConfigDirectory(path: identity.config.path)).load()
        return ControlClient(url: try ServerURL(url ?? urls[index ?? 0]), key: key, session: session)
    }

    private static func haproxyPath() -> String {
        for path in ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return "haproxy"
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw LiveServerError(detail: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension Identity {
    /// Registers `username` through `url` (any instance of a cluster, or its load balancer).
    func register(_ username: String, machine: String, url: String) async throws {
        let result = try await run(["register", "--server", url, "--username", username, "--machine", machine])
        guard result.status == 0 else { throw LiveServerError(detail: "register failed: \(result.stderr)") }
    }
}

extension ControlSession {
    /// The next `count` frames other than heartbeats and notices of server info, within `timeout`.
    mutating func collect(_ count: Int, within timeout: Duration = .seconds(10)) async throws -> [ProtocolMessage] {
        var frames: [ProtocolMessage] = []
        while frames.count < count {
            switch try await next(within: timeout, waitingFor: "frame \(frames.count + 1) of \(count)") {
            case .pong, .serverInfo, .ack: continue
            case let frame: frames.append(frame)
            }
        }
        return frames
    }
}

extension ControlSession {
    /// Waits until the server ends this session (an `Error` frame, or the connection closing);
    /// fails when it is still going after 5 s of silence.
    mutating func waitUntilEnded(what: String) async throws {
        while true {
            do {
                if case .error = try await next(within: .seconds(5), waitingFor: what) { return }
            } catch let TransportError.timedOut(url, phase, seconds) {
                throw LiveServerError(detail: "\(url) did not end the session: \(phase) (\(seconds) s)")
            } catch {
                return
            }
        }
    }
}

/// The text of a channel message or whisper frame.
func frameText(_ frame: ProtocolMessage) -> String? {
    switch frame {
    case let .channelMessage(_, _, .plain(text)), let .whisper(_, _, .plain(text)): text
    default: nil
    }
}
