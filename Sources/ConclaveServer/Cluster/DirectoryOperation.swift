import ConclaveStorage

/// A change to the cluster directory, queued by the hub (whose presence changes are synchronous)
/// and applied in order by ``ClusterService``.
enum DirectoryOperation: Sendable, Hashable {
    /// A session attached here; a session on its path elsewhere is superseded.
    case claim(DirectoryEntry)
    /// A session here ended.
    case release(path: String, token: UInt64)
    /// A session here joined a channel.
    case subscribe(path: String, token: UInt64, channel: String)
    /// A session here left a channel.
    case unsubscribe(path: String, channel: String)
}
