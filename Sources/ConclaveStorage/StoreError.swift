/// A storage failure. The detail goes to the server log only; clients get a generic
/// `Internal("storage failure")`, so storage-engine text never reaches them (reference gap G7).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What failed, for operators.
    public let detail: String

    /// Wraps an underlying failure.
    public init(_ detail: String) {
        self.detail = detail
    }

    public var description: String { "storage failure: \(detail)" }
}
