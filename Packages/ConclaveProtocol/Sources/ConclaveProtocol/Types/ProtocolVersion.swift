/// The protocol version this library speaks: 1, as every released reference build.
public let PROTOCOL_VERSION: UInt32 = ProtocolVersion.current

/// Version negotiation.
///
/// v1 peers compare `Hello.protocol_version` for exact equality; there is no range exchange on the
/// wire. ``negotiate(offered:)`` is the one place that decision is made, so a later release that
/// speaks several versions changes only ``supported``.
public enum ProtocolVersion {
    /// The version a client offers in `Hello`.
    public static let current: UInt32 = 1

    /// Every version this build can speak.
    public static let supported: [UInt32] = [1]

    /// The outcome of a peer's `Hello`.
    public enum Negotiation: Sendable, Hashable {
        /// Speak this version for the rest of the connection.
        case accepted(UInt32)
        /// Refuse with this error (a `VersionMismatch`).
        case rejected(ProtocolError)
    }

    /// Decides whether a peer offering `offered` can be served.
    public static func negotiate(offered: UInt32) -> Negotiation {
        supported.contains(offered)
            ? .accepted(offered)
            : .rejected(.versionMismatch(ours: current, theirs: offered))
    }

    /// A sentence for users when versions differ, saying which versions each side speaks.
    public static func mismatchExplanation(ours: UInt32, theirs: UInt32) -> String {
        "this build speaks protocol version \(ours) but the peer speaks \(theirs); "
            + "upgrade the older side so both speak the same version"
    }
}
