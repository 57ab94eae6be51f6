import ArgumentParser
import Foundation

/// `--yes` for verbs that destroy something: on a terminal they ask first; scripts (no terminal
/// on standard input) and `--yes` go ahead without asking.
struct ConfirmOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .long], help: "Do not ask for confirmation on a terminal.")
    var yes = false

    /// Asks `question` on a terminal unless `--yes` was given; anything but `y`/`yes` cancels.
    func confirm(_ question: String) throws {
        guard !yes, isatty(STDIN_FILENO) == 1 else { return }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            throw CLIError("cancelled; nothing was changed")
        }
    }
}
