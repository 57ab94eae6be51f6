/// Who is connected to which instance, and which channels each session is subscribed to, for
/// questions no single instance can answer alone: `who`, per-user session counts, supersede,
/// whisper routing.
///
/// Each instance writes its own sessions' rows, and its queries answer for the *other* instances
/// (an instance knows its own sessions better than any table).
///
/// Rows of an instance that stops heart-beating are removed by the others
/// (``sweepDeadNodes(silentFor:)``), so a killed instance's sessions disappear everywhere.
public protocol ClusterDirectory: Sendable {
    /// Records `entry` as the session on its path; returns the entry it replaced, if any.
    func claim(_ entry: DirectoryEntry) async throws(StoreError) -> DirectoryEntry?
    /// Forgets the session on `path` if it is still the one with `token`.
    func release(path: String, token: UInt64) async throws(StoreError)
    /// The session on `path` on another instance.
    func entry(at path: String) async throws(StoreError) -> DirectoryEntry?
    /// The paths of the other instances' sessions.
    func sessionPaths() async throws(StoreError) -> [String]
    /// How many sessions `user` has on the other instances.
    func sessionCount(of user: String) async throws(StoreError) -> Int
    /// Records that the session on `path` (with `token`) is subscribed to `channel`.
    func subscribe(path: String, token: UInt64, to channel: String) async throws(StoreError)
    /// Forgets the subscription of `path` to `channel`.
    func unsubscribe(path: String, from channel: String) async throws(StoreError)
    /// Paths of the other instances' sessions subscribed to `channel`.
    func subscriberPaths(of channel: String) async throws(StoreError) -> [String]
    /// Says this instance is alive; returns `true` when the directory did not know it (its first
    /// beat, or after a silence long enough for the others to remove it and its sessions).
    @discardableResult
    func heartbeat() async throws(StoreError) -> Bool
    /// Forgets instances silent for `silentFor` and their sessions; returns the paths removed.
    func sweepDeadNodes(silentFor: Duration) async throws(StoreError) -> [String]
    /// Forgets this instance and its sessions (a graceful stop).
    func leave() async throws(StoreError)
}
