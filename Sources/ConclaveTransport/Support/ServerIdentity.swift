public import ConclaveIdentity

/// The server instance ID sent in the `x-conclave-server-id` upgrade header.
public enum ServerIdentity {
    /// The header's name.
    public static let headerName = "x-conclave-server-id"
    /// The upgrade header in which our server names the sender path it reserves for its notices
    /// (an extension: reference peers ignore it, and a reference server never sends it).
    public static let noticesHeaderName = "x-conclave-notices"
    /// The upgrade header in which a client lists the protocol extensions it speaks, and our
    /// server answers with those it accepted (``ProtocolExtension``).
    public static let extensionsHeaderName = "x-conclave-extensions"

    /// A new random instance ID: 24 random bytes as 32 characters of base64url.
    public static func generate() throws(IdentityError) -> String {
        try SecureRandom.token()
    }
}
