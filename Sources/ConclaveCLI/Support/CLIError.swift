/// A failure of the command itself (not of argument parsing): printed as one `❌` line on stderr,
/// exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// The server answered but refused this machine's key at the handshake.
    var refusedKey = false

    init(_ description: String, refusedKey: Bool = false) {
        self.description = description
        self.refusedKey = refusedKey
    }
}
