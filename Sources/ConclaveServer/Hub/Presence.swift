import ConclaveProtocol

/// Who is online on this instance and which channels each of its live sessions is subscribed to.
///
/// Always this instance's own sessions (the ones it can write to): in a cluster, the hub combines
/// it with the store's `ClusterDirectory` for cluster-wide questions (`who`, session counts,
/// whisper routing) rather than replacing it.
protocol PresenceDirectory: Sendable {
    /// Registers `session`; returns the session it replaced on the same path, if any.
    mutating func attach(_ session: ServerSession) -> ServerSession?
    /// Removes `session` if it is still the one registered on its path; returns whether it was.
    mutating func detach(_ session: ServerSession) -> Bool
    /// The live session on `path`.
    func session(at path: SessionPath) -> ServerSession?
    /// Every live session.
    var allSessions: [ServerSession] { get }
    /// How many live sessions `user` has.
    func sessionCount(of user: String) -> Int
    /// Subscribes `path` to `channel`.
    mutating func subscribe(_ path: SessionPath, to channel: String)
    /// Unsubscribes `path` from `channel`; returns whether it was subscribed.
    @discardableResult mutating func unsubscribe(_ path: SessionPath, from channel: String) -> Bool
    /// Whether `path` is subscribed to `channel`.
    func isSubscribed(_ path: SessionPath, to channel: String) -> Bool
    /// The live sessions subscribed to `channel`.
    func subscribers(of channel: String) -> [ServerSession]
    /// The channels `path` is subscribed to.
    func channels(of path: SessionPath) -> Set<String>
    /// Removes every subscription to `channel`; returns the sessions that had one.
    mutating func removeChannel(_ channel: String) -> [ServerSession]
    /// Moves every subscription from `channel` to `newName`.
    mutating func renameChannel(_ channel: String, to newName: String)
}

/// ``PresenceDirectory`` for a single server process.
struct LocalPresence: PresenceDirectory {
    private var sessions: [SessionPath: ServerSession] = [:]
    private var subscribers: [String: Set<SessionPath>] = [:]
    private var subscriptions: [SessionPath: Set<String>] = [:]
    private var sessionCounts: [String: Int] = [:]
    /// Each channel's live subscribed sessions, kept with every change so a fan-out reads one
    /// array instead of looking each subscriber's path up (hashing three strings per delivery).
    private var members: [String: [ServerSession]] = [:]

    mutating func attach(_ session: ServerSession) -> ServerSession? {
        let previous = sessions[session.path]
        if let previous {
            clearSubscriptions(of: previous.path)
        } else {
            sessionCounts[session.user, default: 0] += 1
        }
        sessions[session.path] = session
        for channel in subscriptions[session.path] ?? [] { members[channel, default: []].append(session) }
        return previous
    }

    mutating func detach(_ session: ServerSession) -> Bool {
        guard let current = sessions[session.path], current === session else { return false }
        sessions[session.path] = nil
        clearSubscriptions(of: session.path)
        let remaining = (sessionCounts[session.user] ?? 1) - 1
        sessionCounts[session.user] = remaining > 0 ? remaining : nil
        return true
    }

    func sessionCount(of user: String) -> Int { sessionCounts[user] ?? 0 }

    func session(at path: SessionPath) -> ServerSession? { sessions[path] }

    var allSessions: [ServerSession] { Array(sessions.values) }

    mutating func subscribe(_ path: SessionPath, to channel: String) {
        let (inserted, _) = subscriptions[path, default: []].insert(channel)
        subscribers[channel, default: []].insert(path)
        if inserted, let session = sessions[path] { members[channel, default: []].append(session) }
    }

    @discardableResult
    mutating func unsubscribe(_ path: SessionPath, from channel: String) -> Bool {
        guard subscriptions[path]?.remove(channel) != nil else { return false }
        subscribers[channel]?.remove(path)
        if subscribers[channel]?.isEmpty == true { subscribers[channel] = nil }
        removeMember(path, from: channel)
        return true
    }

    func isSubscribed(_ path: SessionPath, to channel: String) -> Bool {
        subscriptions[path]?.contains(channel) ?? false
    }

    func subscribers(of channel: String) -> [ServerSession] {
        members[channel] ?? []
    }

    func channels(of path: SessionPath) -> Set<String> {
        subscriptions[path] ?? []
    }

    mutating func removeChannel(_ channel: String) -> [ServerSession] {
        let paths = subscribers.removeValue(forKey: channel) ?? []
        for path in paths { subscriptions[path]?.remove(channel) }
        return members.removeValue(forKey: channel) ?? []
    }

    mutating func renameChannel(_ channel: String, to newName: String) {
        guard channel != newName, let paths = subscribers.removeValue(forKey: channel) else { return }
        subscribers[newName, default: []].formUnion(paths)
        for path in paths {
            subscriptions[path]?.remove(channel)
            subscriptions[path]?.insert(newName)
        }
        let moved = members.removeValue(forKey: channel) ?? []
        let present = Set((members[newName] ?? []).map(ObjectIdentifier.init))
        members[newName, default: []].append(contentsOf: moved.filter { !present.contains(ObjectIdentifier($0)) })
    }

    private mutating func clearSubscriptions(of path: SessionPath) {
        for channel in subscriptions.removeValue(forKey: path) ?? [] {
            subscribers[channel]?.remove(path)
            if subscribers[channel]?.isEmpty == true { subscribers[channel] = nil }
            removeMember(path, from: channel)
        }
    }

    private mutating func removeMember(_ path: SessionPath, from channel: String) {
        members[channel]?.removeAll { $0.path == path }
        if members[channel]?.isEmpty == true { members[channel] = nil }
    }
}
