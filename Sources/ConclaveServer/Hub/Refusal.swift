import ConclaveIdentity
import ConclaveProtocol

/// The refusals only the hub needs to construct (the ones clients recognise are in
/// `ConclaveProtocol`'s ``Refusal``), with the reference's texts where clients or tests rely on them.
extension Refusal {
    static let notAdmin = Refusal.adminRequired
    static let unexpectedFrame = ProtocolError.malformedFrame("unexpected frame from client")

    static func banned(_ name: String) -> ProtocolError { .unauthorized("channel `\(name)` is private") }
    static func offline(_ path: SessionPath) -> ProtocolError { .notFound("session `\(path)` is not online") }
    /// A flood limit: what, whose, the rule, and when to retry. `Internal` rather than
    /// `Unauthorized`, so clients that stop retrying on `Unauthorized` retry this later.
    static func rateLimited(_ what: String, scope: String, rule: RateRule, retryAfter: Duration) -> ProtocolError {
        .internal("rate limited: \(what) \(scope) exceed \(rule); retry in \(retryText(retryAfter))")
    }

    /// A count limit that is full now.
    static func capacity(_ what: String, limit: Int, advice: String) -> ProtocolError {
        .internal("limit reached: \(what) (at most \(limit)); \(advice)")
    }

    /// Names the `max-body` limit, like every other limit refusal; retrying cannot help.
    static func bodyTooLarge(_ bytes: Int, limit: Int) -> ProtocolError {
        .malformedFrame("message body is \(bytes) bytes, over this server's max-body limit of \(limit) bytes; shorten it (retrying will not help)")
    }

    /// `0.4 s`, `12 s`, `3 min`: precise enough to act on.
    static func retryText(_ duration: Duration) -> String {
        let milliseconds = max(1, duration.wholeMilliseconds)
        if milliseconds < 10_000 {
            let tenths = (milliseconds + 99) / 100
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let seconds = (milliseconds + 999) / 1000
        return seconds < 120 ? "\(seconds) s" : "\((seconds + 59) / 60) min"
    }

    static func invalidName(_ error: ValueParseError) -> ProtocolError { .malformedFrame(error.description) }
}
