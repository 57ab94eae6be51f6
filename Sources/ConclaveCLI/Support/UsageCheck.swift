import ArgumentParser

/// Checks a value while the command line is parsed, so that a bad one is a usage error (the
/// message, the verb's usage line, exit status 2) rather than a failure of the verb (exit 1).
enum UsageCheck {
    /// Runs `parse`; whatever it throws becomes a `ValidationError` with the same text.
    static func value(_ parse: () throws -> Void) throws {
        do {
            try parse()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
