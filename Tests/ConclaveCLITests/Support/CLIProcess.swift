import Foundation

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

    static func run(_ arguments: [String], environment: [String: String] = [:], stdout: FileHandle? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "RUST_LOG")
        env.removeValue(forKey: "CONCLAVE_LOG")
        env.removeValue(forKey: "CONCLAVE_LOG_FORMAT")
        env.merge(environment) { $1 }
        process.environment = env
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = stdout ?? outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes while the process runs so a large output cannot block it.
        let outData = Mutex(Data())
        let reader = Thread {
            let data = outPipe.fileHandleForReading.readDataToEndOfFile()
            outData.withLock { $0 = data }
        }
        if stdout == nil { reader.start() }
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if stdout == nil {
            while !reader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
        }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData.withLock { $0 }, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self),
            terminatedBySignal: process.terminationReason == .uncaughtSignal)
    }
}

/// A temporary config directory for one test identity.
final class TemporaryConfig {
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
    }
}

import Synchronization
