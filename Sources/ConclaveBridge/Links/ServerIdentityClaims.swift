/// Which configured server key holds each server instance (`x-conclave-server-id`), so that one
/// server configured under two URLs gets one link, not two sessions fighting over one path.
///
/// The key listed first in config.toml wins, whichever link connects first (the reference let
/// connection timing decide: its gap 25), so tools always name the same URL.
public actor ServerIdentityClaims {
    /// The outcome of a claim.
    public enum Outcome: Sendable, Equatable {
        /// This key holds the instance.
        case granted
        /// A key listed earlier holds it: this one is the duplicate.
        case duplicate(of: String)
        /// This key is listed earlier than the one that held it, which is now the duplicate.
        case tookOver(from: String)
    }

    private var owners: [String: (key: String, rank: Int)] = [:]

    /// An empty claim map.
    public init() {}

    /// Claims `serverID` for `key`, whose position in the configuration is `rank`.
    public func claim(_ serverID: String, for key: String, rank: Int) -> Outcome {
        guard let owner = owners[serverID], owner.key != key else {
            owners[serverID] = (key, rank)
            return .granted
        }
        if owner.rank < rank { return .duplicate(of: owner.key) }
        owners[serverID] = (key, rank)
        return .tookOver(from: owner.key)
    }
}
