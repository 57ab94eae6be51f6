/// What a bus subscription hands its receiver.
public enum ClusterBusInput: Sendable, Hashable {
    /// An event, with the node that published it.
    case event(ClusterEvent, origin: String)
    /// The subscription (re)started: events may have been missed before this.
    case resumed
}
