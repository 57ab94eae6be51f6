/// An invite as stored.
public struct InviteRecord: Sendable, Hashable {
    /// The bearer token.
    public var token: String
    /// Remaining uses; `nil` = unlimited.
    public var usesRemaining: Int64?
    /// Expiry in epoch milliseconds; `nil` = never.
    public var expiresAtMs: Int64?
    /// Creator's username.
    public var createdBy: String

    /// Creates a record.
    public init(token: String, usesRemaining: Int64?, expiresAtMs: Int64?, createdBy: String) {
        self.token = token
        self.usesRemaining = usesRemaining
        self.expiresAtMs = expiresAtMs
        self.createdBy = createdBy
    }
}
