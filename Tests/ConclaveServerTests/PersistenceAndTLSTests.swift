import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import ConclaveTransport
import Foundation
import Testing
import ConclaveStorage
import ConclaveSQLite

@Suite("Restarts, the instance ID header, and TLS")
struct PersistenceAndTLSTests {
    @Test func aRestartLosesNothingDurable() async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let aliceKey = try newKey()
        let bobKey = try newKey()
        let firstID = try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            try await server.peer(key: aliceKey, register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .private)))
                _ = try await alice.request(.admin(.aclAdd(channel: "ops", user: "bob")))
                _ = try await alice.request(.admin(.ban(channel: "ops", user: "eve")))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                _ = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("before the restart")))
            }
            try await server.peer(key: bobKey, register: "bob") { _ in }
            return try await server.serverID()
        }
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            #expect(try await server.serverID() == firstID)
            try await server.peer(key: bobKey) { (bob) async throws in
                #expect(try await bob.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                guard case let .history(_, messages) = try await bob.request(.readSince(channel: "ops", sinceMs: 0)) else { Issue.record("the reply was not the one this test expects"); return }
                #expect(messages.map(\.payload) == [.plain("before the restart")])
                #expect(messages.first?.from.user == "alice")
            }
            try await server.peer(key: aliceKey) { (alice) async throws in
                #expect(try await alice.request(.admin(.banList(channel: "ops"))) == .userList(users: ["eve"]))
            }
        }
    }

    @Test func aSecondServerCannotOpenTheSameDataDirectory() async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { _ in
            await #expect(throws: ServerError.self) {
                try await TestServer.with(storage: SQLiteBackend.directory(directory)) { _ in }
            }
        }
    }

    @Test func everyUpgradeCarriesTheSameInstanceID() async throws {
        try await TestServer.with { server in
            let first = try await server.serverID()
            let second = try await server.serverID()
            #expect(first.count == 32)
            #expect(first == second)
        }
        let other = try await TestServer.with { try await $0.serverID() }
        let another = try await TestServer.with { try await $0.serverID() }
        #expect(other != another)
    }

    @Test func wssWorksAgainstASelfSignedCertificate() async throws {
        let (directory, tls) = try await SelfSignedCertificate.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = tls.certificateChainPath
        try await TestServer.with(tls: tls) { server in
            #expect(try server.url.isSecure)
            let path = try await server.peer(key: try newKey(), register: "secure", tls: .caFile(certificate)) { $0.path }
            #expect(path.user == "secure")
            // Without trusting the certificate, the connection is refused.
            await #expect {
                try await server.peer(key: try newKey(), register: "trusting", tls: .systemTrustStore) { _ in }
            } throws: { error in
                // Refused for the certificate, not for anything else.
                "\(error)".contains("the server's TLS certificate is not trusted")
            }
        }
    }
}

extension PersistenceAndTLSTests {
    /// BoringSSL's default client list leaves Ed25519 out, which failed the handshake with
    /// `HANDSHAKE_FAILURE_ON_CLIENT_HELLO`; rustls and OpenSSL clients accept such servers.
    @Test func wssWorksAgainstAnEd25519Certificate() async throws {
        let (directory, tls) = try await SelfSignedCertificate.make(type: .ed25519)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestServer.with(tls: tls) { server in
            let path = try await server.peer(key: try newKey(), register: "edwards", tls: .caFile(tls.certificateChainPath)) { $0.path }
            #expect(path.user == "edwards")
        }
    }
}

extension TestServer {
    /// The `x-conclave-server-id` header of a fresh upgrade.
    func serverID() async throws -> String {
        try await FrameLink.connect(to: try url, timeout: .seconds(5)) { connection in
            await connection.outbound.close()
            return connection.serverID ?? ""
        }
    }
}

/// Makes a self-signed certificate for 127.0.0.1 with the `openssl` command.
enum SelfSignedCertificate {
    /// The certificate's key type.
    enum KeyType {
        case p256, ed25519
    }

    /// A certificate and key of `type` in a new temporary directory (the caller removes it).
    static func make(type: KeyType = .p256) async throws -> (directory: String, tls: ServerTLS) {
        let directory = NSTemporaryDirectory() + "conclave-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tls = ServerTLS(certificateChainPath: directory + "/cert.pem", privateKeyPath: directory + "/key.pem")
        try await generate(certificate: tls.certificateChainPath, key: tls.privateKeyPath, type: type)
        return (directory, tls)
    }

    static func generate(certificate: String, key: String, type: KeyType = .p256) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let newKey = switch type {
        case .p256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        case .ed25519: ["-newkey", "ed25519"]
        }
        process.arguments = ["openssl", "req", "-x509"] + newKey + [
            "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Await the exit instead of blocking a concurrency thread with waitUntilExit().
        let (exits, exited) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in exited.finish() }
        try process.run()
        for await _ in exits {}
        guard process.terminationStatus == 0 else { throw TestFailure("openssl failed (is the openssl command installed?)") }
    }
}

@Suite("Data directory protection")
struct DataDirectoryProtectionTests {
    @Test func theDatabaseAndItsWALArePrivateToTheServersUser() async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { server in
            _ = try await server.rawRegister(username: "ann", key: try newKey())
        }
        for name in ["conclave.sqlite", "conclave.sqlite-wal", "conclave.sqlite-shm"]
        where FileManager.default.fileExists(atPath: directory + "/" + name) {
            let mode = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/conclave.sqlite"))
        // A database left readable by an earlier version is narrowed on the next start.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/conclave.sqlite")
        try await TestServer.with(storage: SQLiteBackend.directory(directory)) { _ in }
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/conclave.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test(arguments: [0o777, 0o775, 0o757])
    func aDataDirectoryOthersCanWriteIsRefused(_ mode: Int) async throws {
        let directory = NSTemporaryDirectory() + "conclave-server-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try await TestServer.with(storage: SQLiteBackend.directory(directory)) { _ in }
            Issue.record("the server started on a directory of mode \(String(mode, radix: 8))")
        } catch let error as ServerError {
            #expect("\(error)".contains("writable by group or others"))
            #expect("\(error)".contains("chmod 700"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/conclave.sqlite"), "nothing was created in it")
    }
}
