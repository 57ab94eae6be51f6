/// A sender machine's channel key, sealed to one member machine's X25519 key and signed by the
/// sender's machine key, so that neither the server nor anyone else can hand a member a key of
/// their own under the sender's name.
public struct SealedChannelKey: Sendable, Hashable {
    /// What every signed key share starts with (never a message, an announcement or a handshake).
    public static let domain = Array("conclave/channel-key/v1\u{0}".utf8)
    /// The most bytes a sealed copy may have: a 16-byte id and a 32-byte key, sealed (48 bytes
    /// of overhead), with room to spare.
    public static let maximumSealedBytes = 256

    /// The recipient machine, `user/machine`.
    public var recipient: String
    /// The channel key's identifier (16 bytes), as envelopes name it.
    public var keyID: [UInt8]
    /// The key, sealed to the recipient's announced X25519 key.
    public var sealed: [UInt8]
    /// When the sender made the share, milliseconds since the Unix epoch.
    public var createdMs: Int64
    /// The sender machine's Ed25519 public key (32 bytes); our server relays only the key the
    /// sending session proved.
    public var publicKey: [UInt8]
    /// The sender's signature over ``signedBytes(serverID:channel:sender:)``.
    public var signature: [UInt8]

    /// Creates a share.
    public init(recipient: String, keyID: [UInt8], sealed: [UInt8], createdMs: Int64, publicKey: [UInt8], signature: [UInt8]) {
        self.recipient = recipient
        self.keyID = keyID
        self.sealed = sealed
        self.createdMs = createdMs
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The bytes the signature covers: the domain, the server's instance ID, the channel, the
    /// sender and recipient machines, the key id, the sealed copy and its time.
    public func signedBytes(serverID: String, channel: String, sender: String) -> [UInt8] {
        var writer = WireWriter(capacity: 160 + sealed.count)
        for byte in Self.domain { writer.writeRawByte(byte) }
        writer.writeString(serverID)
        writer.writeString(channel)
        writer.writeString(sender)
        writer.writeString(recipient)
        writer.writeBytes(keyID)
        writer.writeBytes(sealed)
        writer.writeI64(createdMs)
        return writer.bytes
    }

    /// Whether every field has a length a real share has.
    public var isWellFormed: Bool {
        keyID.count == 16 && !sealed.isEmpty && sealed.count <= Self.maximumSealedBytes
            && publicKey.count == MessageSignature.publicKeyByteCount && signature.count == MessageSignature.signatureByteCount
    }

    /// The share's encoding, as a server stores it.
    public var wireBytes: [UInt8] { encodedAlone(capacity: 192 + sealed.count) }

    /// Decodes a share stored as ``wireBytes``; trailing bytes are refused.
    public init(wireBytes: [UInt8]) throws(WireFormatError) {
        self = try Self.decodedWhole(wireBytes)
    }
}

extension SealedChannelKey: WireCodable {
    /// A string, three byte strings, a timestamp and a byte string.
    static var minimumWireSize: Int { 6 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        recipient = try reader.readString()
        keyID = try reader.readBytes()
        sealed = try reader.readBytes()
        createdMs = try reader.readI64()
        publicKey = try reader.readBytes()
        signature = try reader.readBytes()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeString(recipient)
        writer.writeBytes(keyID)
        writer.writeBytes(sealed)
        writer.writeI64(createdMs)
        writer.writeBytes(publicKey)
        writer.writeBytes(signature)
    }
}
