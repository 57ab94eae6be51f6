public import ConclaveProtocol

/// A failure to reach or talk to a server. Every message names the URL, so a person with several
/// servers knows which one failed.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    /// The URL is not a usable `ws://` or `wss://` address.
    case invalidURL(String)
    /// TCP, TLS or the WebSocket upgrade failed.
    case connectFailed(url: String, reason: String)
    /// A phase (connect, a reply, the handshake) took longer than allowed.
    case timedOut(url: String, phase: String, seconds: Int)
    /// The server closed the connection.
    case closed(url: String)
    /// The server sent bytes that are not a valid frame.
    case malformedFrame(url: String, WireFormatError)
    /// The server refused the handshake with this error.
    case handshakeRejected(url: String, ProtocolError)
    /// The server sent a frame that makes no sense at this point.
    case unexpectedFrame(url: String, expected: String, received: String)
    /// TLS could not be configured (for example an unreadable CA file).
    case tlsConfiguration(String)

    public var description: String {
        switch self {
        case let .invalidURL(url):
            return "invalid server URL `\(url)` (expected ws://host[:port] or wss://host[:port])"
        case let .connectFailed(url, reason):
            return "could not connect to \(url): \(reason)"
        case let .timedOut(url, phase, seconds):
            return "timed out after \(seconds) s waiting for \(phase) from \(url)"
        case let .closed(url):
            return "\(url) closed the connection"
        case let .malformedFrame(url, error):
            return "\(url) sent an undecodable frame: \(error)"
        case let .handshakeRejected(url, error):
            if case let .versionMismatch(ours, theirs) = error {
                return "\(url) refused the connection: \(error) — "
                    + ProtocolVersion.mismatchExplanation(ours: theirs, theirs: ours)
            }
            return "authentication/registration rejected by \(url): \(error)"
        case let .unexpectedFrame(url, expected, received):
            return "\(url) sent \(received) where \(expected) was expected"
        case let .tlsConfiguration(reason):
            return "TLS configuration failed: \(reason)"
        }
    }
}
