/// The release of this implementation (not the wire protocol version, see ``ProtocolVersion``).
public enum ConclaveRelease {
    /// Semantic version of the Conclave package.
    public static let version = "0.1.0"
}
