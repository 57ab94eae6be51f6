import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

/// Turns server refusals and transport failures into one line that says what to do next.
///
/// Refusals are recognised by ``Refusal/Kind`` (the server's own texts, read back in one place)
/// only to add a hint; the original text is always kept.
enum ServerAdvice {
    /// A refusal of a request (after authentication).
    static func refusal(_ error: ProtocolError, url: ServerURL) -> CLIError {
        var text = "\(error)"
        if Refusal.Kind(error) == .adminRequired {
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
        case let .handshakeRejected(_, refusal) where Refusal.Kind(refusal) == .unknownMachineKey:
            return CLIError("""
                authentication rejected by \(url): this machine's key is not enrolled there. Run \
                `conclave register --server \(url) --username <you>`, or enrol this key from an enrolled \
                machine with `conclave machine add --name <this machine> --pubkey \(publicKeyHint)` and then \
                run `conclave server add \(url)` here
                """)
        case .handshakeRejected(_, .unauthorized(let detail)) where Refusal.Kind(.unauthorized(detail)) == .revoked:
            return CLIError("authentication rejected by \(url): \(detail) (this machine was removed from the account; enrol it again with `conclave machine add` from another machine)")
        case .connectFailed:
            return CLIError("\(error) (is `conclave serve` running there, and is the URL right?)")
        default:
            return CLIError("\(error)")
        }
    }

    private static let publicKeyHint = "\"$(conclave key)\""
}
