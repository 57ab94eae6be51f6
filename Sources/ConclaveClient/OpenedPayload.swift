/// A received payload as a reader should see it, from ``PayloadOpener``.
public struct OpenedPayload: Sendable, Hashable {
    /// What could be read.
    public enum Content: Sendable, Hashable {
        /// The message text (peer-controlled: escape it wherever it is shown).
        case text(String)
        /// Nothing readable; says why, for a placeholder.
        case unreadable(reason: String)
    }

    /// What could be read.
    public var content: Content
    /// Whether the payload was end-to-end encrypted on the wire.
    public var wasEncrypted: Bool

    /// Creates a result.
    public init(content: Content, wasEncrypted: Bool) {
        self.content = content
        self.wasEncrypted = wasEncrypted
    }

    /// The message text, or `nil` when nothing is readable.
    public var text: String? {
        if case let .text(text) = content { return text }
        return nil
    }

    /// The text to show: the message, or a placeholder in angle brackets that says why there is
    /// none (never mistakable for a message, since it is shown escaped like one).
    public var displayText: String {
        switch content {
        case let .text(text): text
        case let .unreadable(reason): "<\(reason)>"
        }
    }
}
