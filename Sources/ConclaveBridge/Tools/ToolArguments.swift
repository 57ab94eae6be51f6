/// A tool call's `arguments`, with typed lookups that refuse wrong types instead of ignoring them
/// (reference bridge gap 15).
struct ToolArguments {
    let value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }

    /// Why an argument is unusable.
    struct Invalid: Error {
        let message: String
    }

    /// A string argument; `nil` when absent, an error when present with another type.
    func string(_ name: String) throws(Invalid) -> String? {
        guard let field = value[name], field != .null else { return nil }
        guard let text = field.stringValue else { throw Invalid(message: "`\(name)` must be a string") }
        return text
    }

    /// A required string argument.
    func required(_ names: String...) throws(Invalid) -> [String] {
        var values: [String] = []
        for name in names {
            guard let text = try string(name), !text.isEmpty else {
                let list = names.map { "`\($0)`" }.joined(separator: " and ")
                throw Invalid(message: names.count == 1 ? "\(list) is required" : "\(list) are required")
            }
            values.append(text)
        }
        return values
    }

    /// A boolean argument (`false` when absent).
    func bool(_ name: String) throws(Invalid) -> Bool {
        guard let field = value[name], field != .null else { return false }
        guard let flag = field.boolValue else { throw Invalid(message: "`\(name)` must be true or false") }
        return flag
    }

    /// A positive integer argument no larger than `maximum`.
    func positiveInteger(_ name: String, maximum: Int64) throws(Invalid) -> Int64? {
        guard let field = value[name], field != .null else { return nil }
        guard let number = field.intValue, number >= 1, number <= maximum else {
            throw Invalid(message: "`\(name)` must be a whole number from 1 to \(maximum)")
        }
        return number
    }
}
