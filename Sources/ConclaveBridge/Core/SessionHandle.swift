public import ConclaveProtocol

/// The session component of this bridge's path, per server.
///
/// A handle given with `--as` never changes. A defaulted one (the working directory's name) gets
/// a numeric suffix (`dir-2`, `dir-3`, …) on a server where another live session keeps taking
/// the same path, and keeps it; other servers are unaffected.
public struct SessionHandle: Sendable, Hashable {
    /// The name without suffix.
    public let base: String
    /// Whether the name was given explicitly (`--as`).
    public let isExplicit: Bool
    private var generations: [String: Int] = [:]

    /// A handle named `base`.
    public init(base: String, isExplicit: Bool) {
        self.base = base
        self.isExplicit = isExplicit
    }

    /// The default handle for a working directory: its last component, or `session` when that is
    /// empty or not a valid session handle.
    public static func defaultBase(forDirectory path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        return SessionPath.isValidComponent(last) ? last : "session"
    }

    /// The name to use on `server` now.
    public func name(on server: String) -> String {
        let generation = generations[server, default: 1]
        return generation == 1 ? base : "\(base)-\(generation)"
    }

    /// Moves to the next suffix on `server`; returns the new name, or `nil` for an explicit handle.
    public mutating func advance(on server: String) -> String? {
        guard !isExplicit else { return nil }
        generations[server, default: 1] += 1
        return name(on: server)
    }
}
