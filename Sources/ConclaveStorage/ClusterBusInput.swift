/// What a bus subscription hands its receiver.
public enum ClusterBusInput: Sendable, Hashable {
    /// An event, with the node that published it and when, on that node's clock (milliseconds
    /// since the epoch; for a posted message, its stamp), when the bus carries it.
    case event(ClusterEvent, origin: String, sentMs: Int64? = nil)
    /// The subscription (re)started: events may have been missed before this.
    case resumed
}
