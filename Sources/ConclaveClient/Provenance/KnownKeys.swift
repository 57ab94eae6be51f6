public import ConclaveIdentity

/// The machine keys this machine has seen signing, pinned on first use like ssh's `known_hosts`:
/// a later message from the same machine signed with another key is reported, never trusted.
///
/// One line per machine, `SERVER-ID USER MACHINE KEY` (the key in base64url), in a private file
/// (0600) that every process of this user shares under a lock. A malformed file is reported, and
/// nothing in it is trusted or overwritten.
public struct KnownKeys: Sendable {
    /// The outcome of checking a key.
    public enum Check: Sendable, Hashable {
        /// The key is the one pinned for this machine.
        case matches
        /// Nothing was pinned for this machine: this key is pinned now.
        case pinnedNow
        /// Another key is pinned for this machine: the message is not to be trusted.
        case changed(pinned: PublicKey)
    }

    /// The file.
    public let file: PrivateStateFile

    /// Pins kept in `path` (at most 4 MiB of them).
    public init(path: String) {
        file = PrivateStateFile(path: path, limit: 4 * 1024 * 1024)
    }

    /// Checks `key` for `user/machine` on the server with instance ID `server`, pinning it if this
    /// machine has none yet.
    public func check(_ key: PublicKey, server: String, user: String, machine: String) throws -> Check {
        try Self.validate([server, user, machine])
        try file.createDirectory()
        return try file.update { contents -> Check in
            var pins = try Self.parse(contents ?? [], path: file.path)
            let entry = Entry(server: server, user: user, machine: machine)
            if let pinned = pins[entry] {
                return pinned == key ? .matches : .changed(pinned: pinned)
            }
            pins[entry] = key
            contents = Self.render(pins)
            return .pinnedNow
        }
    }

    /// Replaces the pinned key of `user/machine` (after the person confirmed the change out of
    /// band, as with `ssh-keygen -R`).
    public func repin(_ key: PublicKey, server: String, user: String, machine: String) throws {
        try Self.validate([server, user, machine])
        try file.createDirectory()
        try file.update { contents in
            var pins = try Self.parse(contents ?? [], path: file.path)
            pins[Entry(server: server, user: user, machine: machine)] = key
            contents = Self.render(pins)
        }
    }

    /// One pinned key.
    public struct Pin: Sendable, Hashable {
        /// The server's instance ID.
        public let server: String
        /// The user.
        public let user: String
        /// The machine.
        public let machine: String
        /// The pinned key.
        public let key: PublicKey
    }

    /// Every pinned key, sorted by server, user and machine.
    public func pins() throws -> [Pin] {
        let pins = try Self.parse(try file.read() ?? [], path: file.path)
        return pins.keys.sorted().compactMap { entry in
            pins[entry].map { Pin(server: entry.server, user: entry.user, machine: entry.machine, key: $0) }
        }
    }

    /// The key pinned for `user/machine` on `server`, if any.
    public func pinned(server: String, user: String, machine: String) throws -> PublicKey? {
        try Self.parse(try file.read() ?? [], path: file.path)[Entry(server: server, user: user, machine: machine)]
    }

    /// Forgets the pins of `user/machine` (on `server` only, when given), so the next key that
    /// signs for it is pinned: for a machine enrolled again with a new key, confirmed out of
    /// band. Returns how many were forgotten.
    @discardableResult
    public func forget(user: String, machine: String, server: String? = nil) throws -> Int {
        guard try file.read() != nil else { return 0 }
        return try file.update { contents -> Int in
            var pins = try Self.parse(contents ?? [], path: file.path)
            let gone = pins.keys.filter { $0.user == user && $0.machine == machine && (server == nil || $0.server == server) }
            for entry in gone { pins[entry] = nil }
            if !gone.isEmpty { contents = Self.render(pins) }
            return gone.count
        }
    }

    /// Why a pin store cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Entry: Hashable, Comparable {
        let server: String
        let user: String
        let machine: String

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.server, lhs.user, lhs.machine) < (rhs.server, rhs.user, rhs.machine)
        }
    }

    /// Fields are single tokens: no whitespace or control characters, not empty.
    private static func validate(_ fields: [String]) throws {
        for field in fields where field.isEmpty || field.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw Failure(description: "cannot pin a key for `\(field.debugDescription)`: not a single token")
        }
    }

    private static func parse(_ contents: [UInt8], path: String) throws -> [Entry: PublicKey] {
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw Failure(description: "\(path) is not UTF-8; it was left as it is")
        }
        var pins: [Entry: PublicKey] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let fields = line.split(separator: " ")
            guard fields.count == 4, let key = try? PublicKey(text: String(fields[3])) else {
                throw Failure(description: "\(path) line \(number + 1) is not `SERVER-ID USER MACHINE KEY`; it was left as it is")
            }
            pins[Entry(server: String(fields[0]), user: String(fields[1]), machine: String(fields[2]))] = key
        }
        return pins
    }

    private static func render(_ pins: [Entry: PublicKey]) -> [UInt8] {
        Array(pins.keys.sorted().map { "\($0.server) \($0.user) \($0.machine) \(pins[$0]?.text ?? "")\n" }.joined().utf8)
    }
}
