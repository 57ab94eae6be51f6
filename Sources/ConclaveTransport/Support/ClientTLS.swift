import Foundation
import NIOSSL

/// How a client verifies a `wss://` server.
public enum ClientTLS: Sendable, Hashable {
    /// The operating system's trust store, or, as OpenSSL does, the bundle named by
    /// `SSL_CERT_FILE` (or the directory named by `SSL_CERT_DIR`) when the variable is set.
    case systemTrustStore
    /// Only certificates issued by the CA in this PEM file (for self-signed or private servers),
    /// as `curl --cacert` does: the system's store is not consulted for this server.
    case caFile(String)

    /// The verification for a server with an optional per-server CA file.
    public init(caFile: String?) {
        self = caFile.map(ClientTLS.caFile) ?? .systemTrustStore
    }

    /// Signature algorithms a server may prove its certificate with. BoringSSL's default list
    /// leaves Ed25519 out, so a server with an Ed25519 key failed the handshake
    /// (`HANDSHAKE_FAILURE_ON_CLIENT_HELLO`); rustls, OpenSSL and the reference client accept it.
    static let verifiedSignatureAlgorithms: [SignatureAlgorithm] = [
        .ecdsaSecp256R1Sha256, .rsaPssRsaeSha256, .rsaPkcs1Sha256,
        .ecdsaSecp384R1Sha384, .rsaPssRsaeSha384, .rsaPkcs1Sha384,
        .rsaPssRsaeSha512, .rsaPkcs1Sha512, .ed25519,
    ]

    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TransportError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.verifySignatureAlgorithms = Self.verifiedSignatureAlgorithms
        switch self {
        case .systemTrustStore:
            if let bundle = Self.environmentTrustRoots(environment) {
                guard FileManager.default.isReadableFile(atPath: bundle.path) else {
                    throw .tlsConfiguration("\(bundle.variable) names `\(bundle.path)`, which cannot be read")
                }
                configuration.trustRoots = .file(bundle.path)
            }
        case let .caFile(path):
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                guard !certificates.isEmpty else {
                    throw TransportError.tlsConfiguration("CA file `\(path)` holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as TransportError {
                throw error
            } catch {
                throw .tlsConfiguration("could not read CA file `\(path)`: \(error)")
            }
        }
        return configuration
    }

    /// `SSL_CERT_FILE`, else `SSL_CERT_DIR`, when set and not empty.
    private static func environmentTrustRoots(_ environment: [String: String]) -> (variable: String, path: String)? {
        for variable in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
            if let path = environment[variable], !path.isEmpty { return (variable, path) }
        }
        return nil
    }
}
