import ConclaveIdentity
import ConclaveProtocol
import Foundation

/// Server admins, from `--admin USER[=PUBKEY]` and `CONCLAVE_ADMINS`.
///
/// Unlike the reference (gap G20), entries are trimmed and validated: a name must be a valid
/// username and a pin must be a 43-character public key; a bad entry stops the server at start-up
/// with a message naming it.
public struct AdminAllowlist: Sendable, Hashable {
    /// Admin username → pinned key text, or `nil` when unpinned.
    public private(set) var entries: [String: String?] = [:]

    /// An empty list.
    public init() {}

    /// Parses entries; each value may hold several comma-separated entries.
    public init(parsing values: [String]) throws(AdminAllowlistError) {
        for value in values {
            for rawEntry in value.split(separator: ",", omittingEmptySubsequences: true) {
                let entry = rawEntry.trimmingCharacters(in: .whitespaces)
                guard !entry.isEmpty else { continue }
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                do {
                    try NamePolicy.validate(name, kind: .username)
                } catch {
                    throw .invalidEntry(entry, "\(error)")
                }
                // Nobody can ever register this name (or a look-alike), so it would grant nothing.
                if ConfusableSkeleton.of(name) == ConfusableSkeleton.of(SystemNotice.reservedUsername) {
                    throw .invalidEntry(entry, "`\(SystemNotice.reservedUsername)` is reserved for the server's own notices and can never be registered")
                }
                if parts.count == 2 {
                    let pin = parts[1].trimmingCharacters(in: .whitespaces)
                    guard let key = try? PublicKey(text: pin) else {
                        throw .invalidEntry(entry, "`\(pin)` is not a public key as `conclave key` prints it")
                    }
                    entries[name] = .some(key.text)
                } else {
                    entries[name] = .some(nil)
                }
            }
        }
    }

    /// Whether `username` is a server admin.
    public func contains(_ username: String) -> Bool { entries[username] != nil }

    /// The pinned key for `username`, if it is a pinned admin.
    public func pin(for username: String) -> String? { entries[username] ?? nil }

    /// Admins without a pinned key (worth a warning: the first registrant gets the name).
    public var unpinned: [String] { entries.filter { $0.value == nil }.keys.sorted() }
}

/// A malformed `--admin` entry.
public enum AdminAllowlistError: Error, Sendable, CustomStringConvertible {
    case invalidEntry(String, String)

    public var description: String {
        switch self {
        case let .invalidEntry(entry, reason): "invalid --admin entry `\(entry)`: \(reason)"
        }
    }
}
