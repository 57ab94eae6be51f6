import Foundation

/// A private certificate authority and a server certificate it signed for 127.0.0.1, made with
/// the `openssl` command in a temporary directory (removed with the value).
final class PrivateCA {
    /// The leaf certificate's key type.
    enum KeyType: String {
        case p256, ed25519
    }

    let directory: String
    /// The CA certificate (what clients trust).
    var caCertificate: String { directory + "/ca.pem" }
    /// The server's certificate, signed by the CA.
    var serverCertificate: String { directory + "/server.pem" }
    /// The server's private key.
    var serverKey: String { directory + "/server.key" }

    /// `serve` arguments that serve `wss://` with this certificate.
    var serveArguments: [String] { ["--tls-cert", serverCertificate, "--tls-key", serverKey] }

    private init(directory: String) {
        self.directory = directory
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func make(serverKey type: KeyType = .p256) async throws -> PrivateCA {
        let directory = NSTemporaryDirectory() + "conclave-ca-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let authority = PrivateCA(directory: directory)
        let newKey = type == .ed25519 ? "-newkey ed25519" : "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        let script = """
            set -e
            cd "$0"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
              -days 2 -subj "/CN=Conclave test CA" -addext basicConstraints=critical,CA:TRUE \
              -addext keyUsage=critical,keyCertSign,cRLSign
            openssl req -new \(newKey) -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
              -extfile server.ext -out server.pem
            """
        let result = try await CLIProcess.runExecutable(URL(fileURLWithPath: "/bin/sh"), ["-c", script, directory])
        guard result.status == 0 else {
            throw LiveServerError(detail: "openssl could not make the test CA: \(result.stderr)")
        }
        return authority
    }
}
