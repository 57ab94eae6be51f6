import NIOSSL

/// How a client verifies a `wss://` server.
public enum ClientTLS: Sendable, Hashable {
    /// The operating system's trust store.
    case systemTrustStore
    /// Only certificates issued by the CA in this PEM file (for self-signed or private servers).
    case caFile(String)

    func configuration() throws(TransportError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .systemTrustStore:
            break
        case let .caFile(path):
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                configuration.trustRoots = .certificates(certificates)
            } catch {
                throw .tlsConfiguration("could not read CA file `\(path)`: \(error)")
            }
        }
        return configuration
    }
}
