public import ConclaveProtocol

/// Opens the payloads a client receives: the one place where every reader (the bridge, `tail`,
/// history) learns what a message says.
///
/// Plain payloads are their text. Encrypted envelopes cannot be read by this version and open as
/// a placeholder that says so; signature checks and decryption (issue 19) go here, so that every
/// reader gets them at once.
public struct PayloadOpener: Sendable {
    /// Why an encrypted payload shows no text.
    public static let encryptedUnreadable = "end-to-end-encrypted payload: not readable by this version"

    /// Creates an opener.
    public init() {}

    /// What `payload` says.
    public func open(_ payload: Payload) -> OpenedPayload {
        switch payload {
        case let .plain(text):
            OpenedPayload(content: .text(text), wasEncrypted: false)
        case .encrypted:
            OpenedPayload(content: .unreadable(reason: Self.encryptedUnreadable), wasEncrypted: true)
        }
    }
}
