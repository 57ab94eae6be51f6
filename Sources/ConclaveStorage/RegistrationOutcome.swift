/// Outcome of a registration attempt.
public enum RegistrationOutcome: Sendable, Hashable {
    case registered
    /// Registered with a key that another account had enrolled (with `MachineAdd`, which proves
    /// nothing); that enrolment, `from`, was removed.
    case registeredReclaimingKey(from: MachineRecord)
    case usernameTaken
    /// The username looks like `with`, an existing one (same confusable skeleton).
    case usernameConfusable(with: String)
    case keyAlreadyEnrolled
}
