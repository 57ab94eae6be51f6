/// One stored channel message with the signature it was posted with, if any: an entry of a
/// `SignedHistory` page (the `signatures` extension).
public struct SignedHistoryMessage: Sendable, Hashable {
    /// The message as a v1 `History` page carries it.
    public var message: HistoryMessage
    /// The sender's signature; `nil` for a message posted unsigned (a reference client, or a
    /// client without the extension).
    public var signature: MessageSignature?

    /// Creates an entry.
    public init(message: HistoryMessage, signature: MessageSignature?) {
        self.message = message
        self.signature = signature
    }
}

extension SignedHistoryMessage: WireCodable {
    /// A history message and an option tag.
    static var minimumWireSize: Int { HistoryMessage.minimumWireSize + 1 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        message = try HistoryMessage(from: &reader)
        signature = try reader.readOptional { reader throws(WireFormatError) in try reader.read() }
    }

    func encode(to writer: inout WireWriter) {
        message.encode(to: &writer)
        writer.writeOptional(signature) { $0.write($1) }
    }
}
