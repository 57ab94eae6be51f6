/// A normalised `ws://` / `wss://` server address, used as the key for registrations and
/// permission overrides, so that `wss://h`, `WSS://H/` and `wss://h:443/` are one server.
///
/// Normal form: lowercase scheme and host, no default port (80 for `ws`, 443 for `wss`), path
/// `/` when empty, no fragment. Two values are equal when their normal forms are; ``text`` keeps
/// the spelling the user wrote, which is what `config.toml` stores (the reference compares the
/// file's strings as they stand).
public struct ServerURL: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normal form, e.g. `wss://conclave.example/`.
    public let normalized: String
    /// The URL as written, surrounding whitespace removed, e.g. `wss://Conclave.example`.
    public let text: String
    /// `true` for `wss://`.
    public let isSecure: Bool
    /// The host name or address (IPv6 without brackets).
    public let host: String
    /// The port to dial (explicit, or the scheme's default).
    public let port: Int
    /// The path and query, starting with `/`.
    public let path: String

    /// Parses and normalises `text`; surrounding whitespace is ignored.
    public init(_ text: String) throws(IdentityError) {
        let trimmed = text.trimmingWhitespace()
        self.text = trimmed
        func fail(_ reason: String) -> IdentityError { .invalidServerURL(url: trimmed, reason: reason) }

        guard let schemeEnd = trimmed.range(of: "://") else {
            throw fail("missing scheme")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        switch scheme {
        case "ws": isSecure = false
        case "wss": isSecure = true
        case "http", "https": throw fail("use \(scheme == "https" ? "wss" : "ws")://, this is a WebSocket server")
        default: throw fail("unsupported scheme `\(scheme)`")
        }
        var rest = trimmed[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            rest = rest[..<hash]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let pathPart = rest[authorityEnd...]
        guard !authority.isEmpty else { throw fail("missing host") }
        guard !authority.contains("@") else { throw fail("credentials in the URL are not supported") }

        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 address") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw fail("missing host") }
        guard !hostPart.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw fail("invalid host") }
        let defaultPort = isSecure ? 443 : 80
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value), portPart.allSatisfy(\.isASCII) else {
                throw fail("invalid port `\(portPart)`")
            }
            port = value
        } else {
            port = defaultPort
        }
        host = hostPart.lowercased()
        path = pathPart.isEmpty || pathPart.hasPrefix("?") ? "/" + pathPart : String(pathPart)

        let hostText = HostText.bracketed(host)
        let portText = port == defaultPort ? "" : ":\(port)"
        normalized = "\(isSecure ? "wss" : "ws")://\(hostText)\(portText)\(path)"
    }

    /// The key under which `text` is compared: its normal form, or the trimmed text itself when it
    /// does not parse (so a hand-written oddity in an old config still matches itself).
    public static func key(for text: String) -> String {
        (try? ServerURL(text))?.normalized ?? text.trimmingWhitespace()
    }

    public var description: String { normalized }

    public static func == (lhs: ServerURL, rhs: ServerURL) -> Bool { lhs.normalized == rhs.normalized }

    public func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    public static func < (lhs: ServerURL, rhs: ServerURL) -> Bool { lhs.normalized < rhs.normalized }
}
