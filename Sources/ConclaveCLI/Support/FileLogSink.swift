import Foundation

/// An append-only log file private to its user (0600), shared by every logger of the process.
/// Each line is one `write` on a descriptor opened with `O_APPEND`, so lines from concurrent
/// loggers never interleave. A file over `rotateBytes` at start is moved to `<path>.1` first.
final class FileLogSink: Sendable {
    private let descriptor: Int32

    /// Opens (creating) `path`; `nil` when it cannot be opened, so logging never stops a verb.
    init?(path: String, rotateBytes: Int = 1 << 20) {
        var info = stat()
        if stat(path, &info) == 0, Int(info.st_size) > rotateBytes {
            rename(path, path + ".1")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        fchmod(descriptor, 0o600)
        self.descriptor = descriptor
    }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    }

    deinit { close(descriptor) }
}
