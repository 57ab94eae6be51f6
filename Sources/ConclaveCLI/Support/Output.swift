import Foundation

/// Writes results to stdout and notes to stderr, one line at a time.
///
/// stdout carries only results, so scripts can consume it; everything addressed to the person
/// (notes, warnings, errors) goes to stderr.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        note("❌ " + text)
    }
}
