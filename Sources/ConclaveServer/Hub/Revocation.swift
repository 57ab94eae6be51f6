import ConclaveProtocol

/// A machine (or a whole account) revoked at some epoch: a session whose key was looked up before
/// then must not become live afterwards, even though it was not live to be ended at the time.
struct Revocation: Sendable {
    let user: String
    /// `nil`: every machine of the user (the account was removed).
    let machine: String?
    let reason: String
    let epoch: UInt64
    let at: ContinuousClock.Instant

    func covers(_ path: SessionPath) -> Bool {
        path.user == user && (machine == nil || machine == path.machine)
    }
}
