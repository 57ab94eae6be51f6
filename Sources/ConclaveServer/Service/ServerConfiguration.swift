public import ConclaveStorage
public import ConclaveTransport
import Foundation

/// Everything `conclave serve` needs to run.
public struct ServerConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// Where state lives: SQLite in a data directory or in memory, or a shared PostgreSQL.
    public var storage: any StoreBackend
    /// Server admins.
    public var admins: AdminAllowlist
    /// Serve `wss://` directly when set.
    public var tls: ServerTLS?
    /// Hub tunables.
    public var settings: HubSettings
    /// A TLS-terminating proxy is in front, so serving plain `ws://` on a network address is
    /// intended (silences ``cleartextWarning``).
    public var behindTLSProxy = false
    /// Where `GET /metrics` is answered.
    public var metrics: MetricsExposure = .clientListener

    /// Where the Prometheus scrape is served.
    public enum MetricsExposure: Sendable, Equatable {
        /// On the listener clients connect to, beside `/health`.
        case clientListener
        /// Only on a listener of its own (a private address, say); the client listener answers 404.
        case separate(host: String, port: Int)
        /// Nowhere.
        case off
    }

    /// Creates a configuration.
    public init(
        host: String = "0.0.0.0", port: Int = 4390, storage: any StoreBackend, admins: AdminAllowlist = AdminAllowlist(),
        tls: ServerTLS? = nil, settings: HubSettings = HubSettings()
    ) {
        self.host = host
        self.port = port
        self.storage = storage
        self.admins = admins
        self.tls = tls
        self.settings = settings
    }

    /// What to warn about once at start when clients would reach this server over the network
    /// without TLS, or `nil` (TLS served here, a loopback address, or a proxy declared in front).
    public var cleartextWarning: String? {
        guard tls == nil, !behindTLSProxy, !Self.isLoopback(host) else { return nil }
        return "serving ws:// without TLS on \(host): message bodies and invite tokens cross the network in the clear. "
            + "Put a TLS-terminating proxy in front and pass --behind-proxy (or set CONCLAVE_BEHIND_PROXY=1) to silence this, "
            + "or serve wss:// directly with --tls-cert and --tls-key"
    }

    /// Whether `host` names this machine only: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    /// Parses `host:port` (`[::1]:4390` for IPv6); a bad value explains the expected form.
    public static func parseBind(_ text: String) throws(ServerError) -> (host: String, port: Int) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.lastIndex(of: ":") else {
            throw .invalidBind(text)
        }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty, let port = Int(trimmed[trimmed.index(after: colon)...]), (0...65535).contains(port) else {
            throw .invalidBind(text)
        }
        return (host, port)
    }
}
