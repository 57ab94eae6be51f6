import Foundation
import Synchronization

/// A long-running `conclave` process started by a test (`serve`, `tail`), with its stdout and
/// stderr collected line by line on dedicated threads.
final class BackgroundProcess {
    private let process: Process
    let stdout = LineBuffer()
    let stderr = LineBuffer()

    private let input: FileHandle?

    init(
        _ arguments: [String], environment: [String: String] = [:], interactive: Bool = false, directory: String? = nil,
        executable: URL = CLIProcess.executable
    ) throws {
        let process = CLIProcess.makeProcess(executable, arguments, environment: environment)
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = interactive ? Pipe() : nil
        process.standardInput = inPipe ?? FileHandle.nullDevice
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        try process.run()
        self.process = process
        input = inPipe?.fileHandleForWriting
        Self.collect(outPipe.fileHandleForReading, into: stdout)
        Self.collect(errPipe.fileHandleForReading, into: stderr)
    }

    /// Reads `handle` to its end on a thread of its own (which ends when the process exits).
    private static func collect(_ handle: FileHandle, into lines: LineBuffer) {
        Thread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
        }.start()
    }

    var isRunning: Bool { process.isRunning }

    /// Writes `line` and a newline to the process's stdin (started with `interactive: true`).
    func send(_ line: String) throws {
        try input?.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the process's stdin.
    func closeInput() throws {
        try input?.close()
    }

    /// Sends `signal` and waits for the exit status, up to `timeout`; SIGKILL after that.
    func stop(with signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) async -> Int32? {
        kill(process.processIdentifier, signal)
        return await exitStatus(timeout: timeout)
    }

    /// Waits for the process to exit by itself, up to `timeout`; SIGKILL after that.
    func exitStatus(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Lines shared between a reading thread and the test.
final class LineBuffer: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var all: [String] { lines.withLock { $0 } }

    /// The first line containing `text`, waiting up to `timeout`.
    func first(containing text: String, timeout: Duration = .seconds(20)) async -> String? {
        await wait(timeout: timeout) { $0.first { $0.contains(text) } }
    }

    /// Waits until at least `count` lines arrived; returns them (or what arrived by the deadline).
    func waitForCount(_ count: Int, timeout: Duration = .seconds(20)) async -> [String] {
        await wait(timeout: timeout) { $0.count >= count ? $0 : nil } ?? all
    }

    private func wait<T>(timeout: Duration, until match: ([String]) -> T?) async -> T? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let found = lines.withLock({ match($0) }) { return found }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return nil
    }
}
