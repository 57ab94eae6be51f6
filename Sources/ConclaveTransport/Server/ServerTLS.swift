import Foundation
import NIOSSL

/// A certificate and key for serving `wss://` directly (without a TLS-terminating proxy).
public struct ServerTLS: Sendable, Hashable {
    /// PEM file with the certificate chain, leaf first.
    public var certificateChainPath: String
    /// PEM file with the private key.
    public var privateKeyPath: String

    /// Creates TLS settings from two PEM files.
    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    func configuration() throws(TransportError) -> TLSConfiguration {
        // Say which file is missing in plain words; the TLS library's own error names neither.
        for path in [certificateChainPath, privateKeyPath] where !FileManager.default.isReadableFile(atPath: path) {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw .tlsConfiguration("cannot read `\(path)`: \(reason)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        } catch {
            throw .tlsConfiguration("could not load `\(certificateChainPath)` / `\(privateKeyPath)`: \(error)")
        }
    }
}
