/// Outcome of redeeming an invite during a private join.
public enum RedemptionOutcome: Sendable, Hashable {
    /// The caller is now on the ACL.
    case admitted
    /// Unknown token, wrong channel, expired, spent, or the caller is banned.
    case refused
}
