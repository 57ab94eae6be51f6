/// Decides, at accept, whether a connection may stay, and hears when it stops counting.
///
/// Every accepted TCP connection counts from the moment it is accepted, whether or not it ever
/// sends an HTTP request, until it authenticates or closes; so one address cannot hold the
/// server's descriptors with connections that never speak.
public protocol ConnectionAdmission: Sendable {
    /// A connection from `address` (an IP address, or `unknown`) was accepted; `false` closes it
    /// at once. An admitted connection is released exactly once.
    func admitConnection(address: String) -> Bool
    /// A connection admitted from `address` authenticated or closed.
    func releaseConnection(address: String)
}
