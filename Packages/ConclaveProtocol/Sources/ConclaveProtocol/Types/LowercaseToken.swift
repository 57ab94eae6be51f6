/// An enum whose cases are written as fixed lowercase tokens in text (config files, command
/// lines, tool arguments).
protocol LowercaseToken: CaseIterable {
    var token: String { get }
}

extension LowercaseToken {
    /// The case whose token is exactly `text` (case-sensitive), if any.
    static func matching(_ text: String) -> Self? {
        allCases.first { $0.token == text }
    }
}
