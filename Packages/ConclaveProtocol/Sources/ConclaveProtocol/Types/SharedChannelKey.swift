/// A key share as its recipient reads it back: the share and the machine that sent it, as the
/// server recorded it (the signature inside says whether that is true).
public struct SharedChannelKey: Sendable, Hashable {
    /// The sending machine, `user/machine`.
    public var sender: String
    /// The share.
    public var key: SealedChannelKey

    /// Creates an entry.
    public init(sender: String, key: SealedChannelKey) {
        self.sender = sender
        self.key = key
    }
}

extension SharedChannelKey: WireCodable {
    /// A string and a share.
    static var minimumWireSize: Int { 1 + SealedChannelKey.minimumWireSize }

    init(from reader: inout WireReader) throws(WireFormatError) {
        sender = try reader.readString()
        key = try reader.read()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(sender)
        writer.write(key)
    }
}
