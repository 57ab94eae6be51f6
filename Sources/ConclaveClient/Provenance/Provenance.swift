/// What a recipient can say about who wrote a message, checked against the sender's machine key
/// and never taken from the server's word.
public enum Provenance: Sendable, Hashable {
    /// Signed by the key pinned for the sender's machine, unaltered, and not a replay.
    case verified
    /// No signature to check (a reference client, or a message from before signatures), or no
    /// key known for the sender's machine yet: shown, but not vouched for.
    case unverified(reason: String)
    /// A signature that does not check out: altered on the way, replayed, out of its time window,
    /// or made with a key other than the one pinned for that machine.
    case invalid(reason: String)

    /// The word for this verdict in a notification's `meta` and in `tail`: `verified`,
    /// `unverified` or `invalid`.
    public var mark: String {
        switch self {
        case .verified: "verified"
        case .unverified: "unverified"
        case .invalid: "invalid"
        }
    }

    /// Why it is not verified; `nil` when it is.
    public var reason: String? {
        switch self {
        case .verified: nil
        case let .unverified(reason), let .invalid(reason): reason
        }
    }

    /// The verdict a ``mark`` names, with `reason` for the two that carry one; `nil` for any
    /// other word.
    public init?(mark: String, reason: String) {
        switch mark {
        case "verified": self = .verified
        case "unverified": self = .unverified(reason: reason)
        case "invalid": self = .invalid(reason: reason)
        default: return nil
        }
    }
}
