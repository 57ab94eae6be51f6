import Foundation

/// Writes results to stdout and notes to stderr, one line at a time.
///
/// stdout carries only results, so scripts can consume it; everything addressed to the person
/// (notes, warnings, errors) goes to stderr. Results are written with `write(2)` so errors are
/// seen; notes use the throwing `FileHandle` API (the non-throwing one traps on a closed
/// descriptor).
enum Output {
    /// Writes a result line; a failed write (a full disk, a closed descriptor) is an error.
    ///
    /// A closed pipe (`conclave … | head`) ends the process by SIGPIPE, quietly, as for other
    /// Unix tools, even if a library has set SIGPIPE to be ignored meanwhile (SwiftNIO's
    /// networking does): the default action is restored and the signal raised.
    static func line(_ text: String) throws {
        try write(text + "\n")
    }

    /// Writes `text` as it is (no newline added), with the same error handling as ``line(_:)``.
    static func write(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written >= 0 {
                bytes = bytes.dropFirst(written)
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN {
                // A non-blocking stdout that is full: wait briefly for the reader.
                usleep(1_000)
                continue
            }
            if code == EPIPE {
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
            }
            throw CLIError("could not write to standard output: \(String(cString: strerror(code)))")
        }
    }

    /// Writes a note for the person; best effort, since there is nowhere else to report failure.
    static func note(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        note("❌ " + text)
    }
}

/// `write(2)`, reachable from inside `Output` (whose own `write` would shadow it).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
