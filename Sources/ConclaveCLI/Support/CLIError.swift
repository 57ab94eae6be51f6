/// A failure of the command itself (not of argument parsing): printed as one `❌` line on stderr,
/// exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
