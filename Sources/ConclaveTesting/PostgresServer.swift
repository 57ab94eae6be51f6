public import Foundation

/// A private PostgreSQL server for tests, from the system's packages (Debian's `postgresql`):
/// initdb into a temporary directory, a Unix socket in it and no TCP port, no system service.
/// One server per test process, started on first use; a watchdog stops it when that process
/// exits. Each test takes a database of its own with ``makeDatabase()``.
public actor PostgresServer {
    /// The server of this test process.
    public static func shared() async throws -> PostgresServer {
        try await SharedServer.instance.get()
    }

    /// The temporary directory holding the cluster and the socket.
    public let directory: URL
    /// The socket directory.
    public let socketDirectory: String
    /// The port number in the socket's name.
    public let port: Int
    private let binaries: URL
    private var databases = 0

    private init(directory: URL, socketDirectory: String, port: Int, binaries: URL) {
        self.directory = directory
        self.socketDirectory = socketDirectory
        self.port = port
        self.binaries = binaries
    }

    /// Creates an empty database; returns its `postgres://` URL.
    public func makeDatabase() async throws -> String {
        databases += 1
        let name = "t\(ProcessInfo.processInfo.processIdentifier)_\(databases)_\(UInt32.random(in: 0...UInt32.max))"
        try await sql("CREATE DATABASE \(name)", database: "postgres")
        return url(database: name)
    }

    /// The URL of `database` on this server.
    public func url(database: String) -> String {
        "postgres://conclave@localhost/\(database)?host=\(socketDirectory)&port=\(port)&sslmode=disable"
    }

    /// Runs `statement` with psql and returns its unaligned output.
    @discardableResult
    public func sql(_ statement: String, database: String) async throws -> String {
        try await Self.run(
            binaries.appendingPathComponent("psql"),
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", "\(port)", "-U", "conclave", "-d", database,
             "-c", statement])
    }

    // MARK: Starting

    private enum SharedServer {
        static let instance = Starter()
    }

    private actor Starter {
        private var server: Task<PostgresServer, any Error>?

        func get() async throws -> PostgresServer {
            if let server { return try await server.value }
            let task = Task { try await PostgresServer.start() }
            server = task
            return try await task.value
        }
    }

    private static func start() async throws -> PostgresServer {
        let binaries = try findBinaries()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-pg-\(UUID().uuidString.prefix(8))")
        let data = directory.appendingPathComponent("data")
        let sockets = directory.appendingPathComponent("sock")
        try FileManager.default.createDirectory(at: sockets, withIntermediateDirectories: true)
        // PostgreSQL refuses to run as root: as root, it runs as the `postgres` account.
        let asUser: [String] = geteuid() == 0 ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : []
        if geteuid() == 0 {
            try await run(URL(fileURLWithPath: "/bin/chown"), ["-R", "postgres:postgres", directory.path])
        }
        try await run(
            URL(fileURLWithPath: "/usr/bin/env"),
            asUser + [binaries.appendingPathComponent("initdb").path, "-D", data.path, "-U", "conclave", "--auth=trust",
                      "-E", "UTF8", "--no-sync", "--no-instructions"])
        let port = Int.random(in: 20_000...60_000)
        let testProcess = ProcessInfo.processInfo.processIdentifier
        let postgres = [binaries.appendingPathComponent("postgres").path, "-D", data.path, "-k", sockets.path, "-p", "\(port)",
                        "-c", "listen_addresses=", "-c", "fsync=off", "-c", "max_connections=300"]
            .map { "'\($0)'" }.joined(separator: " ")
        // The watchdog: when the test process is gone, the server is stopped and its files removed.
        let script = """
            \(asUser.joined(separator: " ")) \(postgres) >'\(directory.path)/postgres.log' 2>&1 &
            pg=$!
            while kill -0 \(testProcess) 2>/dev/null && kill -0 $pg 2>/dev/null; do sleep 0.5; done
            kill -INT $pg 2>/dev/null; wait $pg; rm -rf '\(directory.path)'
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
        let server = PostgresServer(directory: directory, socketDirectory: sockets.path, port: port, binaries: binaries)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                try await server.sql("SELECT 1", database: "postgres")
                return server
            } catch {
                if ContinuousClock.now > deadline {
                    let log = (try? String(contentsOfFile: directory.path + "/postgres.log", encoding: .utf8)) ?? ""
                    throw PostgresServerError("PostgreSQL did not start in 30 s: \(error)\n\(log)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Debian's versioned directory (newest first), or `CONCLAVE_PG_BIN`.
    private static func findBinaries() throws -> URL {
        if let configured = ProcessInfo.processInfo.environment["CONCLAVE_PG_BIN"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return URL(fileURLWithPath: "\(root)/\(version)/bin")
        }
        throw PostgresServerError("PostgreSQL is not installed (apt-get install postgresql; scripts/test does it)")
    }

    @discardableResult
    private static func run(_ executable: URL, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresServerError(
                "\(executable.lastPathComponent) failed (\(process.terminationStatus)): \(String(decoding: errorData, as: UTF8.self))")
        }
        return String(decoding: outputData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A test PostgreSQL server could not be started or used.
public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
