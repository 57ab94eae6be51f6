/// Where an appended message landed.
public struct AppendedMessage: Sendable, Hashable {
    /// The channel's stable id (it survives renames).
    public var channelID: Int64
    /// The message's number in its channel: 1 for the first, then one more per message, in
    /// commit order.
    public var seq: Int64
    /// The stored time: the requested one, raised when needed so a channel's times strictly
    /// increase with its numbers.
    public var tsMs: Int64

    /// Creates a record.
    public init(channelID: Int64, seq: Int64, tsMs: Int64) {
        self.channelID = channelID
        self.seq = seq
        self.tsMs = tsMs
    }
}
