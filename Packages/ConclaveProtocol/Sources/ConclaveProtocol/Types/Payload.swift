/// A message body. The server relays it verbatim and stores it, in this encoding, in history.
///
/// ```swift
/// let stored = Payload.plain("hello").wireBytes   // 00 05 68 65 6c 6c 6f
/// let back = try Payload(wireBytes: stored)
/// ```
public enum Payload: Sendable, Hashable, CustomStringConvertible {
    /// A UTF-8 body; every v1 client sends this.
    case plain(String)
    /// A reserved end-to-end-encrypted body.
    case encrypted(Envelope)

    /// The number of variants on the wire.
    static let variantCount = 2

    /// Whether this is an end-to-end encrypted envelope.
    public var isEncrypted: Bool {
        if case .encrypted = self { return true }
        return false
    }

    /// Decodes a payload as the server stores it in history.
    ///
    /// Bytes after a complete payload are ignored, as the reference does for frames.
    public init(wireBytes: [UInt8]) throws(WireFormatError) {
        guard wireBytes.count <= FrameLimits.maxFrameBytes else {
            throw .frameTooLarge(length: wireBytes.count, limit: FrameLimits.maxFrameBytes)
        }
        var reader = WireReader(wireBytes)
        self = try Payload(from: &reader)
    }

    /// The canonical encoding of this payload.
    public var wireBytes: [UInt8] {
        var writer = WireWriter(capacity: estimatedSize)
        encode(to: &writer)
        return writer.bytes
    }

    var estimatedSize: Int {
        switch self {
        case let .plain(text): text.utf8.count + 10
        case let .encrypted(envelope): envelope.ciphertext.count + (envelope.keyID?.utf8.count ?? 0) + 20
        }
    }

    /// Never shows the body, only its size.
    public var description: String {
        switch self {
        case let .plain(text): "Plain(<\(text.utf8.count) bytes>)"
        case let .encrypted(envelope): "Encrypted(\(envelope))"
        }
    }
}

extension Payload: WireCodable {
    init(from reader: inout WireReader) throws(WireFormatError) {
        switch try reader.readVariantIndex(of: "Payload", count: Self.variantCount) {
        case 0: self = .plain(try reader.readString())
        default: self = .encrypted(try Envelope(from: &reader))
        }
    }

    func encode(to writer: inout WireWriter) {
        switch self {
        case let .plain(text):
            writer.writeU32(0)
            writer.writeString(text)
        case let .encrypted(envelope):
            writer.writeU32(1)
            envelope.encode(to: &writer)
        }
    }
}
