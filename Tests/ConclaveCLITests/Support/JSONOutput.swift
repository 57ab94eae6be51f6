import Foundation

/// Parses a verb's `--json` output.
enum JSONOutput {
    static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func objects(_ text: String) throws -> [[String: Any]] {
        guard let array = try parse(text) as? [[String: Any]] else {
            throw LiveServerError(detail: "expected a JSON array of objects, got: \(text)")
        }
        return array
    }

    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try parse(text) as? [String: Any] else {
            throw LiveServerError(detail: "expected a JSON object, got: \(text)")
        }
        return object
    }
}
