public import ConclaveTransport

/// Everything `conclave serve` needs to run.
public struct ServerConfiguration: Sendable {
    /// Where state lives.
    public enum Storage: Sendable, Hashable {
        /// A persistent data directory (created if missing, mode 0700).
        case directory(String)
        /// In memory; everything is lost at exit.
        case ephemeral
    }

    /// Address to bind.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// Persistent or in-memory state.
    public var storage: Storage
    /// Server admins.
    public var admins: AdminAllowlist
    /// Serve `wss://` directly when set.
    public var tls: ServerTLS?
    /// Hub tunables.
    public var settings: HubSettings

    /// Creates a configuration.
    public init(
        host: String = "0.0.0.0", port: Int = 4390, storage: Storage, admins: AdminAllowlist = AdminAllowlist(),
        tls: ServerTLS? = nil, settings: HubSettings = HubSettings()
    ) {
        self.host = host
        self.port = port
        self.storage = storage
        self.admins = admins
        self.tls = tls
        self.settings = settings
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

import Foundation
