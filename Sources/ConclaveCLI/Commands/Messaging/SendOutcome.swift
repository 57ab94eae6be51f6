import ConclaveProtocol

/// What `conclave send` ended with.
enum SendOutcome: Sendable {
    /// Sent; the id when the server gave one.
    case sent(id: UInt64?)
    /// A recipient reached the state `--wait` asked for.
    case reached
    /// Sent, but the server has no receipts to wait for.
    case noReceipts
    /// The join or the post was refused.
    case refused(String, ProtocolMessage)
    /// `--wait` ran out; the text says what each recipient reached.
    case timedOut(String)
}
