/// Which server key first reached each server instance (`x-conclave-server-id`), so that one
/// server configured under two URLs gets one link, not two sessions fighting over one path.
public actor ServerIdentityClaims {
    private var owners: [String: String] = [:]

    /// An empty claim map.
    public init() {}

    /// Claims `serverID` for `key`; returns the key that already holds it, if another one does.
    public func claim(_ serverID: String, for key: String) -> String? {
        if let owner = owners[serverID], owner != key { return owner }
        owners[serverID] = key
        return nil
    }
}
