import Foundation

/// Writes results to stdout and notes to stderr, one line at a time.
///
/// stdout carries only results, so scripts can consume it; everything addressed to the person
/// (notes, warnings, errors) goes to stderr. Writes use the throwing `FileHandle` API: the
/// non-throwing one traps when the descriptor is closed.
enum Output {
    /// Writes a result line; a failed write (a full disk, a closed descriptor) is an error.
    static func line(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            throw CLIError("could not write to standard output: \(error.localizedDescription)")
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
