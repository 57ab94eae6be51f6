public import ConclaveProtocol

/// A message another session sent, whichever frame carried it: v1 (`ChannelMsg`, `Whisper`),
/// tagged with an id (`receipts`) or signed (`signatures`). Readers handle this one shape.
public struct ReceivedMessage: Sendable, Hashable {
    /// Where it went: a channel, or this session (a whisper).
    public var target: MessageSignature.Target
    /// The sender, as the server stamped it.
    public var from: SessionPath
    /// The body as it arrived.
    public var payload: Payload
    /// The `receipts` id, when the frame carried one (0 counts as none).
    public var id: UInt64?
    /// The sender's signature, when the frame carried one.
    public var signature: MessageSignature?

    /// Creates a message.
    public init(target: MessageSignature.Target, from: SessionPath, payload: Payload, id: UInt64? = nil, signature: MessageSignature? = nil) {
        self.target = target
        self.from = from
        self.payload = payload
        self.id = id == 0 ? nil : id
        self.signature = signature
    }

    /// The message `frame` carries; `nil` for any frame that is not a message.
    public init?(_ frame: ProtocolMessage) {
        switch frame {
        case let .channelMessage(channel, from, payload):
            self.init(target: .channel(channel), from: from, payload: payload)
        case let .taggedChannelMessage(id, channel, from, payload):
            self.init(target: .channel(channel), from: from, payload: payload, id: id)
        case let .signedChannelMessage(id, channel, from, payload, signature):
            self.init(target: .channel(channel), from: from, payload: payload, id: id, signature: signature)
        case let .whisper(from, target, payload):
            self.init(target: .session(target), from: from, payload: payload)
        case let .taggedWhisper(id, from, target, payload):
            self.init(target: .session(target), from: from, payload: payload, id: id)
        case let .signedWhisperMessage(id, from, target, payload, signature):
            self.init(target: .session(target), from: from, payload: payload, id: id, signature: signature)
        default:
            return nil
        }
    }

    /// The channel, for a channel message.
    public var channel: String? {
        if case let .channel(name) = target { return name }
        return nil
    }
}
