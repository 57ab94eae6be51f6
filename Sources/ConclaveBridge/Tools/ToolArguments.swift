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

    /// A required, non-empty string argument.
    func required(_ name: String) throws(Invalid) -> String {
        guard let text = try string(name), !text.isEmpty else { throw Invalid(message: "`\(name)` is required") }
        return text
    }

    /// Two required, non-empty string arguments, in the order named; when either is missing the
    /// error names both, as the tool's schema does.
    func required(_ first: String, _ second: String) throws(Invalid) -> (String, String) {
        guard let one = try string(first), !one.isEmpty, let two = try string(second), !two.isEmpty else {
            throw Invalid(message: "`\(first)` and `\(second)` are required")
        }
        return (one, two)
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
