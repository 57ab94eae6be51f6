import Foundation

/// A JSON tree that keeps 64-bit integers exact (the vectors hold u64::MAX and i64::MIN).
enum JSONValue: Decodable, Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .uint(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

/// Why a `frame` description could not be turned into a Swift value.
struct FrameJSONError: Error, CustomStringConvertible {
    let description: String
}

extension JSONValue {
    func string() throws -> String {
        guard case let .string(value) = self else { throw FrameJSONError(description: "expected string, got \(self)") }
        return value
    }

    func optionalString() throws -> String? {
        self == .null ? nil : try string()
    }

    func bool() throws -> Bool {
        guard case let .bool(value) = self else { throw FrameJSONError(description: "expected bool, got \(self)") }
        return value
    }

    func uint64() throws -> UInt64 {
        switch self {
        case let .int(value) where value >= 0: return UInt64(value)
        case let .uint(value): return value
        default: throw FrameJSONError(description: "expected unsigned integer, got \(self)")
        }
    }

    func uint32() throws -> UInt32 {
        let value = try uint64()
        guard let narrow = UInt32(exactly: value) else { throw FrameJSONError(description: "\(value) is not a u32") }
        return narrow
    }

    func int64() throws -> Int64 {
        guard case let .int(value) = self else { throw FrameJSONError(description: "expected i64, got \(self)") }
        return value
    }

    func bytes() throws -> [UInt8] {
        guard case let .array(items) = self else { throw FrameJSONError(description: "expected byte array, got \(self)") }
        return try items.map { item in
            guard let byte = UInt8(exactly: try item.uint64()) else { throw FrameJSONError(description: "byte out of range") }
            return byte
        }
    }

    func array() throws -> [JSONValue] {
        guard case let .array(items) = self else { throw FrameJSONError(description: "expected array, got \(self)") }
        return items
    }

    subscript(_ key: String) -> JSONValue {
        get throws {
            guard case let .object(members) = self, let value = members[key] else {
                throw FrameJSONError(description: "missing member `\(key)` in \(self)")
            }
            return value
        }
    }

    /// Splits serde's externally tagged enum form into (variant name, content).
    func variant() throws -> (name: String, content: JSONValue) {
        switch self {
        case let .string(name):
            return (name, .null)
        case let .object(members) where members.count == 1:
            let (name, content) = members.first.map { ($0.key, $0.value) } ?? ("", .null)
            return (name, content)
        default:
            throw FrameJSONError(description: "expected an enum value, got \(self)")
        }
    }
}
