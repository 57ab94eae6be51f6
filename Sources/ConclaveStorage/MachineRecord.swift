/// An enrolled machine as stored.
public struct MachineRecord: Sendable, Hashable {
    /// Owner's username.
    public var user: String
    /// Machine name, unique within the user.
    public var name: String
    /// Canonical key text (43-character base64url).
    public var pubkey: String
    /// Enrollment time, epoch milliseconds.
    public var addedAtMs: Int64

    /// Creates a record.
    public init(user: String, name: String, pubkey: String, addedAtMs: Int64) {
        self.user = user
        self.name = name
        self.pubkey = pubkey
        self.addedAtMs = addedAtMs
    }
}
