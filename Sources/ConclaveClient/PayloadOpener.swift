public import ConclaveProtocol

/// Opens what a client receives: the one place where every reader (the bridge, `tail`, history)
/// learns what a message says and who wrote it.
///
/// Plain payloads are their text. Envelopes of an end-to-end encrypted channel are decrypted with
/// the keys this machine holds (``EndToEndChannels``), or open as a placeholder that says why
/// not. Signatures are checked with ``MessageTrust``. Without those (a connection that agreed to
/// neither extension) every envelope is a placeholder and every message unverified.
public struct PayloadOpener: Sendable {
    /// Why an encrypted payload shows no text when this connection has no end-to-end keys.
    public static let encryptedUnreadable = "end-to-end-encrypted payload: not readable by this version"

    /// The signature checks, when the connection speaks `signatures`.
    public let trust: MessageTrust?
    /// The channel keys, when the connection speaks `e2e`.
    public let endToEnd: EndToEndChannels?

    /// An opener for a connection with these checks and keys (none by default).
    public init(trust: MessageTrust? = nil, endToEnd: EndToEndChannels? = nil) {
        self.trust = trust
        self.endToEnd = endToEnd
    }

    /// What `payload` says; an envelope is decrypted when it was posted in `channel` by `sender`
    /// and a key this machine holds opens it.
    public func open(_ payload: Payload, in channel: String? = nil, from sender: SessionPath? = nil) -> OpenedPayload {
        switch payload {
        case let .plain(text):
            return OpenedPayload(content: .text(text), wasEncrypted: false)
        case .encrypted:
            guard let endToEnd, let channel, let sender else {
                return OpenedPayload(content: .unreadable(reason: Self.encryptedUnreadable), wasEncrypted: true)
            }
            guard let text = endToEnd.open(payload, in: channel, from: sender) else {
                return OpenedPayload(content: .unreadable(reason: EndToEndChannels.unreadable), wasEncrypted: true)
            }
            return OpenedPayload(content: .text(text), wasEncrypted: true)
        }
    }

    /// What `message` says.
    public func open(_ message: ReceivedMessage) -> OpenedPayload {
        open(message.payload, in: message.channel, from: message.from)
    }

    /// Who wrote `message`, as its signature says.
    public func provenance(of message: ReceivedMessage, nowMs: Int64) -> Provenance {
        trust?.provenance(of: message, nowMs: nowMs) ?? MessageTrust.withoutSignatures
    }

    /// Who wrote a message read back from `channel`'s history.
    public func provenance(of entry: SignedHistoryMessage, in channel: String, nowMs: Int64) -> Provenance {
        trust?.provenance(of: entry, in: channel, nowMs: nowMs) ?? MessageTrust.withoutSignatures
    }

    /// Whether `message` is an envelope no key here opens yet: the reader should fetch the
    /// channel's keys (and hold what follows) before showing it.
    public func lacksKey(for message: ReceivedMessage) -> Bool {
        guard let endToEnd, let channel = message.channel, message.payload.isEncrypted else { return false }
        return endToEnd.open(message.payload, in: channel, from: message.from) == nil
    }
}
