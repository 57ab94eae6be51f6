import Foundation
import Synchronization

/// Runs the built `conclave` binary as a separate process, as a person or script would.
struct CLIProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let terminatedBySignal: Bool
    }

    /// The `conclave` executable next to the test bundle (the build products directory).
    static let executable: URL = {
        if let override = ProcessInfo.processInfo.environment["CONCLAVE_BIN"] {
            return URL(fileURLWithPath: override)
        }
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("conclave")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("conclave")
    }()

    /// Runs the binary to completion without blocking a Swift concurrency thread: output is
    /// read on dedicated threads and the exit is awaited through the termination handler (a
    /// blocking wait here would starve every other async test on this two-core machine).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdout: FileHandle? = nil, stdin: Data? = nil
    ) async throws -> Result {
        try await runExecutable(executable, arguments, environment: environment, stdout: stdout, stdin: stdin)
    }

    /// This process's environment without anything that changes how `conclave` behaves
    /// (`CONCLAVE_*`, `RUST_LOG`, `SSL_CERT_*`): a developer's shell must not change a test's
    /// outcome. A test passes what it needs explicitly.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("CONCLAVE_") && key != "RUST_LOG" && !key.hasPrefix("SSL_CERT_")
        }
    }

    /// Runs any executable the same way.
    /// A process for `executable` with this suite's clean environment plus `environment`.
    static func makeProcess(_ executable: URL, _ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = cleanEnvironment.merging(environment) { $1 }
        return process
    }

    static func runExecutable(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdout: FileHandle? = nil,
        stdin: Data? = nil
    ) async throws -> Result {
        let process = makeProcess(executable, arguments, environment: environment)
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = stdout ?? outPipe
        process.standardError = errPipe
        let inPipe = stdin.map { _ in Pipe() }
        process.standardInput = inPipe ?? FileHandle.nullDevice
        let (exits, exited) = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in
            exited.yield()
            exited.finish()
        }
        try process.run()
        if let inPipe, let stdin {
            let writer = inPipe.fileHandleForWriting
            Thread {
                try? writer.write(contentsOf: stdin)
                try? writer.close()
            }.start()
        }
        let out = PipeDrain(stdout == nil ? outPipe.fileHandleForReading : nil)
        let err = PipeDrain(errPipe.fileHandleForReading)
        for await _ in exits {}
        // Foundation can run the termination handler a moment before the process counts as
        // exited, and reading `terminationStatus` then traps: wait for that, without blocking.
        while process.isRunning { try? await Task.sleep(for: .milliseconds(1)) }
        let outData = await out.finished()
        let errData = await err.finished()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            terminatedBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// Reads a pipe to its end on a dedicated thread.
final class PipeDrain: Sendable {
    private let data = Mutex<Data?>(nil)

    init(_ handle: FileHandle?) {
        guard let handle else {
            data.withLock { $0 = Data() }
            return
        }
        Thread { [self] in
            let contents = handle.readDataToEndOfFile()
            self.data.withLock { $0 = contents }
        }.start()
    }

    /// Everything read, once the writer closed the pipe.
    func finished() async -> Data {
        while true {
            if let contents = data.withLock({ $0 }) { return contents }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// A temporary config directory for one test identity.
final class TemporaryConfig: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "conclave-cli-" + UUID().uuidString
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }

    func write(_ text: String, to name: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try text.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
        // Private, as a key file must be (a readable one is refused).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path + "/" + name)
    }
}
