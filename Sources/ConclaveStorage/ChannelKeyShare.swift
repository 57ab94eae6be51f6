/// A channel key one machine shared with another in an end-to-end encrypted channel, as stored:
/// opaque to the server, which only files it by sender and recipient.
public struct ChannelKeyShare: Sendable, Hashable {
    /// How many shares are kept per channel, sender and recipient: a sender makes a new key
    /// whenever the member machines change, and older keys open only older messages.
    public static let keptPerPair = 32

    /// The sending machine, `user/machine` (stamped by the server from the sending session).
    public var sender: String
    /// The recipient machine, `user/machine`.
    public var recipient: String
    /// The key's identifier.
    public var keyID: [UInt8]
    /// The share's wire encoding (sealed key, time, the sender's key and signature).
    public var share: [UInt8]

    /// Creates a record.
    public init(sender: String, recipient: String, keyID: [UInt8], share: [UInt8]) {
        self.sender = sender
        self.recipient = recipient
        self.keyID = keyID
        self.share = share
    }
}
