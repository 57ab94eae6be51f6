/// A channel's discovery tier. Wire indices: `public` 0, `unlisted` 1, `private` 2.
public enum Visibility: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible, LowercaseToken {
    /// Listed in discovery; anyone may join.
    case `public` = 0
    /// Not listed; anyone who knows the name may join.
    case unlisted = 1
    /// Not listed; joining needs ACL membership or an invite token.
    case `private` = 2

    /// Parses the lowercase token (`public`, `unlisted`, `private`); nothing else is accepted.
    public init(token: String) throws(ValueParseError) {
        guard let match = Self.matching(token) else {
            throw .unknownVisibility(token)
        }
        self = match
    }

    /// The lowercase token used in text, config and command lines.
    public var token: String {
        switch self {
        case .public: "public"
        case .unlisted: "unlisted"
        case .private: "private"
        }
    }

    public var description: String { token }
}

extension Visibility: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        let index = try reader.readVariantIndex(of: "Visibility", count: Self.allCases.count)
        guard let value = Self(rawValue: index) else {
            throw .unknownVariant(type: "Visibility", index: index, count: Self.allCases.count)
        }
        self = value
    }

    func encode(to writer: inout WireWriter) {
        writer.writeU32(rawValue)
    }
}
