public import ConclaveStorage
import ConclaveIdentity
import Foundation
import NIOSSL
import PostgresNIO

/// A parsed `postgres://` URL.
public struct PostgresLocation: Sendable, Hashable {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        case tcp(host: String, port: Int)
        /// The socket file (`<dir>/.s.PGSQL.<port>`).
        case unixSocket(path: String)
    }

    /// TLS use, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var endpoint: Endpoint
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses `url` (see ``PostgresBackend``).
    public init(url: String, environment: [String: String] = [:]) throws(StoreOpenError) {
        let form = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir&sslmode=disable|prefer|require]"
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql"
        else { throw .failed("`--store` is not a PostgreSQL URL (\(form))") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw .failed("the PostgreSQL URL names no user (\(form))")
        }
        username = user
        password = components.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        let port = components.port ?? Int(query["port"] ?? "") ?? 5432
        if let directory = query["host"], directory.hasPrefix("/") {
            endpoint = .unixSocket(path: "\(directory)/.s.PGSQL.\(port)")
        } else if let host = components.host, !host.isEmpty {
            endpoint = .tcp(host: host, port: port)
        } else {
            throw .failed("the PostgreSQL URL names no host (\(form))")
        }
        guard let mode = TLSMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw .failed("unsupported sslmode `\(query["sslmode"] ?? "")` (disable, prefer or require)")
        }
        tls = mode
    }

    /// The URL without its password, for logs and errors.
    public var redacted: String {
        switch endpoint {
        case let .tcp(host, port): "postgres://\(username)@\(HostText.address(host: host, port: port))/\(database)"
        case let .unixSocket(path): "postgres://\(username)@/\(database) (socket \(path))"
        }
    }

    func connectionConfiguration() throws(StoreOpenError) -> PostgresConnection.Configuration {
        switch endpoint {
        case let .tcp(host, port):
            return PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: try connectionTLS())
        case let .unixSocket(path):
            return PostgresConnection.Configuration(unixSocketPath: path, username: username, password: password, database: database)
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case let .tcp(host, port):
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: clientTLS)
        case let .unixSocket(path):
            configuration = PostgresClient.Configuration(unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.minimumConnections = 2
        configuration.options.maximumConnections = 16
        return configuration
    }

    private func connectionTLS() throws(StoreOpenError) -> PostgresConnection.Configuration.TLS {
        guard tls != .disable else { return .disable }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: .makeClientConfiguration())
        } catch {
            // Never a silent downgrade to plain text.
            throw .failed("could not set up TLS for PostgreSQL: \(error)")
        }
        return tls == .require ? .require(context) : .prefer(context)
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
