/// A participant's full identity on a server: `user/machine/session`.
///
/// On the wire it is a struct of three strings, never the slash-joined text; the text form is for
/// display, logs, `Kick.target` and history storage. Values decoded from the wire are kept as they
/// are; use ``validateComponent(_:kind:)`` where a name is being *accepted*.
///
/// ```swift
/// let path = try SessionPath(parsing: "aaron/workstation/razel")
/// print(path) // aaron/workstation/razel
/// ```
public struct SessionPath: Sendable, Hashable, CustomStringConvertible {
    /// Account name, unique per server.
    public var user: String
    /// Machine name, unique within the user.
    public var machine: String
    /// Live session handle (from `Hello.session`).
    public var session: String

    /// The sender of a Conclave server's notices to a session (kicked, banned, channel deleted or
    /// renamed). Servers reserve the username `conclave`, so no account can send as this path.
    public static let serverNotice = SessionPath(user: "conclave", machine: "server", session: "notice")

    /// The longest component, in UTF-8 bytes, that ``validateComponent(_:kind:)`` accepts.
    public static let maxComponentBytes = 128

    /// Creates a path from components without validating them.
    public init(user: String, machine: String, session: String) {
        self.user = user
        self.machine = machine
        self.session = session
    }

    /// Parses the `user/machine/session` text form: exactly three valid components.
    public init(parsing text: String) throws(ValueParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .invalidSessionPath(text)
        }
        let components = parts.map(String.init)
        guard components.allSatisfy(Self.isValidComponent) else {
            throw .invalidSessionPath(text)
        }
        self.init(user: components[0], machine: components[1], session: components[2])
    }

    /// The text form `user/machine/session`.
    public var description: String { "\(user)/\(machine)/\(session)" }

    /// Throws unless `name` is acceptable as a path component or channel name.
    ///
    /// The reference only requires a component to be non-empty and free of `/`. We also refuse
    /// control characters, surrounding whitespace and more than ``maxComponentBytes`` bytes,
    /// because names end up in logs, terminal tables and the agent's context, where those
    /// characters forge lines or hide who is speaking.
    public static func validateComponent(
        _ name: String, kind: ValueParseError.NameKind
    ) throws(ValueParseError) {
        if let reason = problem(with: name) {
            throw .invalidName(kind: kind, value: name, reason: reason)
        }
    }

    /// Whether `name` passes ``validateComponent(_:kind:)``.
    public static func isValidComponent(_ name: String) -> Bool {
        problem(with: name) == nil
    }

    /// Format characters (zero-width characters, bidirectional marks, embeddings, overrides and
    /// isolates), line and paragraph separators, private-use, surrogate and unassigned code points.
    private static func isHiddenOrUnassigned(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
        default: false
        }
    }

    private static func problem(with name: String) -> String? {
        if name.isEmpty {
            return "must not be empty"
        }
        if name.utf8.count > maxComponentBytes {
            return "at most \(maxComponentBytes) bytes"
        }
        if name.utf8.contains(UInt8(ascii: "/")) {
            return "must not contain `/`"
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not contain control characters"
        }
        // Invisible and direction-changing characters let two names that look alike differ (or
        // one name look like another); unassigned ones may become either in a later Unicode.
        if let hidden = name.unicodeScalars.first(where: Self.isHiddenOrUnassigned) {
            let code = String(hidden.value, radix: 16, uppercase: true)
            return "must not contain invisible, formatting, separator or unassigned characters (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code))"
        }
        if let first = name.first, let last = name.last, first.isWhitespace || last.isWhitespace {
            return "must not start or end with whitespace"
        }
        return nil
    }
}

extension SessionPath: WireCodable {
    /// Three strings, each at least one byte.
    static var minimumWireSize: Int { 3 }

    /// Upper bound of the encoded size (three strings with varint lengths of at most 9 bytes).
    var capacityHint: Int { user.utf8.count + machine.utf8.count + session.utf8.count + 27 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        user = try reader.readString()
        machine = try reader.readString()
        session = try reader.readString()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(user)
        writer.writeString(machine)
        writer.writeString(session)
    }
}
