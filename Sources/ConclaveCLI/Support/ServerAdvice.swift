import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

/// Turns server refusals and transport failures into one line that says what to do next.
///
/// The server's detail strings are for people, not programs; they are matched here only to add a
/// hint, and the original text is always kept.
enum ServerAdvice {
    /// A refusal of a request (after authentication).
    static func refusal(_ error: ProtocolError, url: ServerURL) -> CLIError {
        var text = "\(error)"
        if case let .unauthorized(detail) = error, detail.contains("admin role required") {
            text += " (only a server admin may do this: see `conclave serve --admin` on \(url))"
        }
        return CLIError(text)
    }

    /// A failure to connect, authenticate or get a reply.
    static func transport(_ error: TransportError, url: ServerURL) -> CLIError {
        var advice = describe(error, url: url)
        if case .handshakeRejected = error { advice.refusedKey = true }
        return advice
    }

    private static func describe(_ error: TransportError, url: ServerURL) -> CLIError {
        switch error {
        case let .handshakeRejected(_, .unauthorized(detail)) where detail.contains("unknown machine key"):
            return CLIError("""
                authentication rejected by \(url): this machine's key is not enrolled there. Run \
                `conclave register --server \(url) --username <you>`, or enrol this key from an enrolled \
                machine with `conclave machine add --name <this machine> --pubkey \(publicKeyHint)` and then \
                run `conclave server add \(url)` here
                """)
        case .handshakeRejected(_, .unauthorized(let detail)) where detail.contains("revoked"):
            return CLIError("authentication rejected by \(url): \(detail) (this machine was removed from the account; enrol it again with `conclave machine add` from another machine)")
        case .connectFailed:
            return CLIError("\(error) (is `conclave serve` running there, and is the URL right?)")
        default:
            return CLIError("\(error)")
        }
    }

    private static let publicKeyHint = "\"$(conclave key)\""
}
