/// What one server process needs to be an instance among several: a bus to tell the others what
/// happened, and a directory of who is connected where.
public struct ClusterLink: Sendable {
    /// Events between instances.
    public var bus: any ClusterBus
    /// Sessions and subscriptions of every instance.
    public var directory: any ClusterDirectory
    /// This process's id among the instances (random per start).
    public var nodeID: String

    /// Creates a link.
    public init(bus: any ClusterBus, directory: any ClusterDirectory, nodeID: String) {
        self.bus = bus
        self.directory = directory
        self.nodeID = nodeID
    }
}
