/// A sending machine's signature over one message (channel post or whisper), so recipients can
/// tell who wrote it and that nobody, the server included, changed it on the way.
///
/// The signature covers ``signedBytes(serverID:target:sender:timestampMs:nonce:payload:)``: a
/// domain-separated, length-prefixed encoding of everything a relay could rewrite. The client's
/// timestamp and random nonce let recipients refuse a replay. The record names the key it was
/// made with, so a recipient checks it without a lookup; whether that key is the sender
/// machine's is decided against the key pinned for that machine, never the record's word.
public struct MessageSignature: Sendable, Hashable {
    /// Bytes of random nonce.
    public static let nonceByteCount = 16
    /// Bytes of an Ed25519 signature.
    public static let signatureByteCount = 64
    /// Bytes of an Ed25519 public key.
    public static let publicKeyByteCount = 32
    /// What every signed encoding starts with, so a message signature can never be mistaken for
    /// (or replayed as) a handshake signature or anything else the key signs.
    public static let domain = Array("conclave/message-signature/v1\u{0}".utf8)

    /// When the sender signed, milliseconds since the Unix epoch (the sender's clock).
    public var timestampMs: Int64
    /// Random bytes, unique per message.
    public var nonce: [UInt8]
    /// The signing machine's Ed25519 public key. Our server relays only records whose key is the
    /// one the sending session authenticated with.
    public var publicKey: [UInt8]
    /// The Ed25519 signature.
    public var signature: [UInt8]

    /// Creates a signature record.
    public init(timestampMs: Int64, nonce: [UInt8], publicKey: [UInt8], signature: [UInt8]) {
        self.timestampMs = timestampMs
        self.nonce = nonce
        self.publicKey = publicKey
        self.signature = signature
    }

    /// Where a signed message goes.
    public enum Target: Sendable, Hashable {
        /// A channel post.
        case channel(String)
        /// A whisper to one session.
        case session(SessionPath)
    }

    /// The bytes a signature covers: the domain, then the server's instance ID, the target (tagged
    /// channel or session), the sender's path, the timestamp, the nonce and the payload as it is on
    /// the wire, each length-prefixed in the protocol's own encoding, so no two different messages
    /// share an encoding.
    public static func signedBytes(
        serverID: String, target: Target, sender: SessionPath, timestampMs: Int64, nonce: [UInt8], payload: Payload
    ) -> [UInt8] {
        var writer = WireWriter(capacity: 128)
        for byte in domain { writer.writeRawByte(byte) }
        writer.writeString(serverID)
        switch target {
        case let .channel(name):
            writer.writeU32(0)
            writer.writeString(name)
        case let .session(path):
            writer.writeU32(1)
            writer.write(path)
        }
        writer.write(sender)
        writer.writeI64(timestampMs)
        writer.writeBytes(nonce)
        writer.write(payload)
        return writer.bytes
    }
}

extension MessageSignature: WireCodable {
    /// A timestamp and three byte strings, each at least one byte.
    static var minimumWireSize: Int { 4 }
    /// The most bytes a well-formed signature takes on the wire (timestamp, nonce, key, signature
    /// and their lengths), for capacity hints.
    static var wireSizeBound: Int { 9 + 1 + nonceByteCount + 1 + publicKeyByteCount + 1 + signatureByteCount }

    /// Decodes the fields as they are; whether they have the right lengths is checked by our
    /// server on the way in (``isWellFormed``) and by recipients (a wrong length never verifies).
    init(from reader: inout WireReader) throws(WireFormatError) {
        timestampMs = try reader.readI64()
        nonce = try reader.readBytes()
        publicKey = try reader.readBytes()
        signature = try reader.readBytes()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeI64(timestampMs)
        writer.writeBytes(nonce)
        writer.writeBytes(publicKey)
        writer.writeBytes(signature)
    }

    /// The signature's encoding on the wire, as a server stores it beside the message.
    public var wireBytes: [UInt8] { encodedAlone(capacity: Self.wireSizeBound) }

    /// Decodes a signature stored as ``wireBytes``; trailing bytes are refused.
    public init(wireBytes: [UInt8]) throws(WireFormatError) {
        self = try Self.decodedWhole(wireBytes)
    }

    /// Whether the nonce, key and signature have the lengths real ones have.
    public var isWellFormed: Bool {
        nonce.count == Self.nonceByteCount && publicKey.count == Self.publicKeyByteCount && signature.count == Self.signatureByteCount
    }
}
