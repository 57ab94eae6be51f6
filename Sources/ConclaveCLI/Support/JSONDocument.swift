import Foundation

/// A JSON value printed by `--json` outputs: keys sorted, absent values written as `null`, so
/// scripts see the same shape every time.
enum JSONDocument: Encodable, Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([JSONDocument])
    case object([String: JSONDocument])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(value): try container.encode(value)
        case let .int(value): try container.encode(value)
        case let .bool(value): try container.encode(value)
        case .null: try container.encodeNil()
        case let .array(values): try container.encode(values)
        case let .object(fields): try container.encode(fields)
        }
    }

    /// `value` as a string, or `null`.
    static func optional(_ value: String?) -> JSONDocument { value.map(JSONDocument.string) ?? .null }

    /// `value` as a number, or `null`.
    static func optional(_ value: Int64?) -> JSONDocument { value.map(JSONDocument.int) ?? .null }

    /// The compact one-line text.
    func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw CLIError("could not encode the JSON output: \(error)")
        }
    }
}
