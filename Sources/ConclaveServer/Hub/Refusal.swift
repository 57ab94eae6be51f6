import ConclaveProtocol

/// The refusals the hub sends, with the reference's texts where clients or tests rely on them.
enum Refusal {
    static let notAdmin = ProtocolError.unauthorized("not authorized: admin role required")
    static let storage = ProtocolError.internal("storage failure")
    static let unexpectedFrame = ProtocolError.malformedFrame("unexpected frame from client")

    /// One text for a missing channel and for a channel the caller may not know about, so
    /// refusals never reveal that a private or unlisted channel exists (gaps G5, G6).
    static func channelNotFound(_ name: String) -> ProtocolError { .notFound("channel `\(name)` not found") }
    static func notMember(_ name: String) -> ProtocolError { .unauthorized("not a member of channel `\(name)`") }
    static func banned(_ name: String) -> ProtocolError { .unauthorized("channel `\(name)` is private") }
    static func offline(_ path: SessionPath) -> ProtocolError { .notFound("session `\(path)` is not online") }
    static func invalidName(_ error: ValueParseError) -> ProtocolError { .malformedFrame(error.description) }
}
