/// A machine's X25519 public key for end-to-end encryption, signed by its Ed25519 machine key so
/// that a server cannot substitute its own: members seal channel keys only to announced keys
/// whose signature checks against the machine key they pinned.
public struct AgreementAnnouncement: Sendable, Hashable {
    /// What every signed announcement starts with (never a message signature, never a handshake).
    public static let domain = Array("conclave/agreement-key/v1\u{0}".utf8)

    /// The X25519 public key (32 bytes).
    public var publicKey: [UInt8]
    /// When the machine made it, milliseconds since the Unix epoch; a newer announcement replaces
    /// an older one.
    public var createdMs: Int64
    /// The machine's Ed25519 signature over ``signedBytes(serverID:user:machine:)``.
    public var signature: [UInt8]

    /// Creates an announcement record.
    public init(publicKey: [UInt8], createdMs: Int64, signature: [UInt8]) {
        self.publicKey = publicKey
        self.createdMs = createdMs
        self.signature = signature
    }

    /// The bytes the signature covers: the domain, the server's instance ID, the user and machine
    /// names, the key and its time, each length-prefixed in the protocol's encoding.
    public func signedBytes(serverID: String, user: String, machine: String) -> [UInt8] {
        var writer = WireWriter(capacity: 96)
        for byte in Self.domain { writer.writeRawByte(byte) }
        writer.writeString(serverID)
        writer.writeString(user)
        writer.writeString(machine)
        writer.writeBytes(publicKey)
        writer.writeI64(createdMs)
        return writer.bytes
    }
}

extension AgreementAnnouncement: WireCodable {
    /// Two byte strings and a timestamp, each at least one byte.
    static var minimumWireSize: Int { 3 }

    init(from reader: inout WireReader) throws(WireFormatError) {
        publicKey = try reader.readBytes()
        createdMs = try reader.readI64()
        signature = try reader.readBytes()
    }

    func encode(to writer: inout WireWriter) {
        writer.writeBytes(publicKey)
        writer.writeI64(createdMs)
        writer.writeBytes(signature)
    }

    /// The announcement's encoding, as a server stores it with the machine.
    public var wireBytes: [UInt8] { encodedAlone(capacity: 112) }

    /// Decodes an announcement stored as ``wireBytes``; trailing bytes are refused.
    public init(wireBytes: [UInt8]) throws(WireFormatError) {
        self = try Self.decodedWhole(wireBytes)
    }

    /// Whether the key and signature have the lengths real ones have (32 and 64 bytes).
    public var isWellFormed: Bool {
        publicKey.count == 32 && signature.count == MessageSignature.signatureByteCount
    }
}
