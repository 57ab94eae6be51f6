/// A channel's id, name and newest message number.
public struct ChannelSequence: Sendable, Hashable {
    /// The channel's stable id.
    public var channelID: Int64
    /// Its current name.
    public var name: String
    /// The number of its newest message; 0 before the first.
    public var lastSeq: Int64

    /// Creates a record.
    public init(channelID: Int64, name: String, lastSeq: Int64) {
        self.channelID = channelID
        self.name = name
        self.lastSeq = lastSeq
    }
}
