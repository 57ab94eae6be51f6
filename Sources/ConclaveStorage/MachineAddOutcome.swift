/// Outcome of enrolling another machine.
public enum MachineAddOutcome: Sendable, Hashable {
    case added
    case nameTaken
    case keyAlreadyEnrolled
}
