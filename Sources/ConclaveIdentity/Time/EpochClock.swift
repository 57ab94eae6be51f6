import Foundation

/// This machine's wall clock in milliseconds since the Unix epoch: the one reading every client
/// and the server take for timestamps (message signatures, receipts, history marks).
public enum EpochClock {
    /// Now, rounded to the millisecond.
    public static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
