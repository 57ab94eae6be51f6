import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("conclave serve (real binary)")
struct ServeVerbTests {
    @Test func refusesToStartWithoutAStore() async throws {
        let result = try await CLIProcess.run(["serve", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_DATA_DIR": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("data-dir"))
        #expect(result.stderr.contains("--ephemeral"))
    }

    /// Bad flag values are usage errors (status 2, with the usage line), named by the flag.
    @Test(arguments: [
        (["--ephemeral", "--bind", "nonsense"], "invalid bind address"),
        (["--ephemeral", "--bind", "localhost"], "invalid bind address"),
        (["--ephemeral", "--bind", "127.0.0.1:0", "--admin", "root=notakey"], "invalid --admin entry"),
        // Nobody can ever register these, so they would start a server with no admin.
        (["--ephemeral", "--bind", "127.0.0.1:0", "--admin", "conclave"], "reserved for the server's own notices"),
        (["--ephemeral", "--bind", "127.0.0.1:0", "--admin", "c\u{043E}nclave"], "reserved for the server's own notices"),
        (["--ephemeral", "--bind", "127.0.0.1:0", "--admin", ""], "--admin needs a username"),
        (["--ephemeral", "--bind", "127.0.0.1:0", "--limit", "post-rate=fast"], "post-rate"),
    ])
    func explainsBadFlags(_ arguments: [String], _ message: String) async throws {
        let result = try await CLIProcess.run(["serve"] + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: conclave serve"))
    }

    @Test func aMissingDataDirectoryIsCreatedWithItsParentsPrivately() async throws {
        let root = TemporaryConfig()
        let directory = root.path + "/srv/conclave/data"
        let server = try BackgroundProcess(["serve", "--data-dir", directory, "--bind", "127.0.0.1:0"])
        #expect(await server.stderr.first(containing: "conclave server listening") != nil, "\(server.stderr.all)")
        for path in [root.path + "/srv", root.path + "/srv/conclave", directory] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o700, "\(path) has mode \(String(mode, radix: 8))")
        }
        #expect(await server.stop() == 0)
    }

    /// `-v` and `CONCLAVE_LOG` raise Conclave's own loggers only: the libraries' start-up chatter
    /// ("Starting service lifecycle", "Server started and listening") stays out.
    @Test func raisingTheLogLevelRaisesOnlyConclavesLoggers() async throws {
        let server = try BackgroundProcess(
            ["serve", "--ephemeral", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_LOG": "trace", "CONCLAVE_LOG_FORMAT": "json"])
        #expect(await server.stderr.first(containing: "conclave server listening") != nil)
        #expect(await server.stop() == 0)
        let targets = try server.stderr.all.map { line -> String in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object["target"] as? String ?? ""
        }
        #expect(!targets.isEmpty)
        #expect(targets.allSatisfy { $0.hasPrefix("conclave") }, "\(Set(targets))")

        let bogus = try BackgroundProcess(["serve", "--ephemeral", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_LOG": "loud"])
        #expect(await bogus.stderr.first(containing: "CONCLAVE_LOG=loud is not a level") != nil)
        #expect(await bogus.stderr.first(containing: "conclave server listening") != nil)
        #expect(await bogus.stop() == 0)
    }

    @Test func servesHealthLogsJSONAndStopsCleanlyOnSIGTERM() async throws {
        let server = try BackgroundProcess(["serve", "--ephemeral", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_LOG_FORMAT": "json"])
        let line = try #require(await server.stderr.first(containing: "conclave server listening"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let fields = try #require(object["fields"] as? [String: Any])
        #expect(fields["message"] as? String == "conclave server listening")
        let address = try #require(fields["addr"] as? String)
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://\(address)/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "ok")
        #expect(await server.stop() == 0)
    }

    @Test func aSecondServerOnTheSameDataDirectoryIsRefused() async throws {
        let directory = TemporaryConfig()
        let first = try BackgroundProcess(["serve", "--data-dir", directory.path, "--bind", "127.0.0.1:0"])
        #expect(await first.stderr.first(containing: "conclave server listening") != nil)
        let second = try await CLIProcess.run(["serve", "--data-dir", directory.path, "--bind", "127.0.0.1:0"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("in use by another conclave server"))
        #expect(await first.stop() == 0)
    }
}

extension ServeVerbTests {
    /// Start-up failures name what happened and what to do, once, in plain words.
    @Test func startUpFailuresSayWhatHappenedInPlainWords() async throws {
        let missing = try await CLIProcess.run([
            "serve", "--ephemeral", "--bind", "127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem",
        ])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot serve TLS (--tls-cert / --tls-key): cannot read `/nonexistent/cert.pem`: no such file"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("bind"))

        let first = try await LiveServer.start()
        let taken = try await CLIProcess.run(["serve", "--ephemeral", "--bind", first.address])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("cannot listen on `\(first.address)`: Address already in use (another process listens there"), "\(taken.stderr)")
        #expect(!taken.stderr.contains("errno"))
        _ = await first.process.stop()

        let refused = try await CLIProcess.run(["--config-dir", TemporaryConfig().path, "register", "--server", first.url, "--username", "x"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Connection refused"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("errno"))
        #expect(!refused.stderr.contains("error set"))
    }
}

extension ServeVerbTests {
    /// The documented environment: CONCLAVE_BIND, CONCLAVE_ADMINS and CONCLAVE_LIMITS.
    @Test func theDocumentedEnvironmentVariablesTakeEffect() async throws {
        let port = try Self.freePort()
        let server = try BackgroundProcess(["serve", "--ephemeral"], environment: [
            "CONCLAVE_BIND": "127.0.0.1:\(port)", "CONCLAVE_ADMINS": "root", "CONCLAVE_LIMITS": "user-channels=1",
            "CONCLAVE_LOG_FORMAT": "json",
        ])
        #expect(await server.stderr.first(containing: "127.0.0.1:\(port)") != nil, "\(server.stderr.all)")
        let url = "ws://127.0.0.1:\(port)/"
        let root = Identity()
        #expect(try await root.run(["register", "--server", url, "--username", "root", "--machine", "m"]).status == 0)
        // An admin: may list users.
        #expect(try await root.run(["user", "list"]).status == 0)
        let plain = Identity()
        #expect(try await plain.run(["register", "--server", url, "--username", "plain", "--machine", "m"]).status == 0)
        #expect(try await plain.run(["user", "list"]).status == 1)
        // The limit from the environment: one channel per user.
        #expect(try await plain.run(["channel", "create", "first"]).status == 0)
        let second = try await plain.run(["channel", "create", "second"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("channels"), "\(second.stderr)")
        #expect(await server.stop() == 0)
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw LiveServerError(detail: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension ServeVerbTests {
    /// A server whose log reader went away keeps serving instead of dying on its next log line
    /// (long-running verbs ignore SIGPIPE; Main sets it once for `serve` and `bridge`).
    @Test func aServerWhoseLogReaderWentAwayKeepsServing() async throws {
        let data = TemporaryConfig()
        let process = CLIProcess.makeProcess(
            CLIProcess.executable, ["serve", "--bind", "127.0.0.1:0", "--data-dir", data.path], environment: ["CONCLAVE_LOG_FORMAT": "json"])
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var seen = ""
        var address: String?
        while address == nil {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let match = seen.firstMatch(of: /"addr":"([^"]+)"/) { address = String(match.1) }
        }
        let listening = try #require(address, "the server did not start: \(seen)")
        // Nobody reads the log any more: the next line written to it meets a closed pipe.
        try errors.fileHandleForReading.close()
        for name in ["one", "two"] {
            let registered = try await Identity().run(["register", "--server", "ws://\(listening)/", "--username", name, "--machine", "m"])
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        #expect(process.isRunning)
    }
}

