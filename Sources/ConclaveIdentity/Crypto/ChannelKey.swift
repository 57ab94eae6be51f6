internal import CSodium

/// One sending machine's key for one end-to-end encrypted channel (a "sender key", as in
/// Signal's groups and Matrix's Megolm): it encrypts with XChaCha20-Poly1305 what this machine
/// posts there, and every member machine gets a copy sealed to its ``AgreementKey``.
///
/// A new key is made when a member is removed, banned or revoked, so what is sent afterwards is
/// unreadable with any copy that member holds; a new member gets only the current keys, so it
/// reads from its join onward.
public final class ChannelKey: Sendable, CustomStringConvertible {
    /// Bytes of the key.
    public static let byteCount = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    /// Bytes of the key's identifier.
    public static let idByteCount = 16
    /// Bytes of the random nonce each ciphertext starts with.
    public static let nonceByteCount = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    /// Bytes the authentication tag adds.
    public static let tagByteCount = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    /// Names the key in each envelope, so recipients know which copy opens it.
    public let id: [UInt8]
    private let key: SecretBuffer

    /// Restores a key from its identifier and bytes (as unsealed from a copy).
    public init(id: [UInt8], key bytes: [UInt8]) throws(IdentityError) {
        guard id.count == Self.idByteCount, bytes.count == Self.byteCount else {
            throw .cryptoFailure("a channel key is \(Self.idByteCount) bytes of id and \(Self.byteCount) of key")
        }
        try Sodium.ensureInitialised()
        key = SecretBuffer(copying: bytes)
        self.id = id
    }

    /// A new key with a new identifier.
    public static func generate() throws(IdentityError) -> ChannelKey {
        var bytes = try Sodium.randomBytes(byteCount)
        defer { bytes.withUnsafeMutableBytes(Sodium.wipe) }
        return try ChannelKey(id: try Sodium.randomBytes(idByteCount), key: bytes)
    }

    /// The identifier and key together, to seal to a member's ``AgreementKey``. Handle with care.
    public var sealable: [UInt8] { id + key.bytes() }

    /// Restores a key from what ``sealable`` gave; `nil` for anything else.
    public static func unsealed(_ bytes: [UInt8]) -> ChannelKey? {
        guard bytes.count == idByteCount + byteCount else { return nil }
        return try? ChannelKey(id: Array(bytes[..<idByteCount]), key: Array(bytes[idByteCount...]))
    }

    /// Encrypts `plaintext`, binding `context` (channel, sender) as associated data: a fresh random
    /// nonce, then the ciphertext and its tag.
    public func encrypt(_ plaintext: [UInt8], context: [UInt8]) throws(IdentityError) -> [UInt8] {
        let nonce = try Sodium.randomBytes(Self.nonceByteCount)
        var sealed = [UInt8](repeating: 0, count: plaintext.count + Self.tagByteCount)
        var length: UInt64 = 0
        guard crypto_aead_xchacha20poly1305_ietf_encrypt(
            &sealed, &length, plaintext, UInt64(plaintext.count), context, UInt64(context.count), nil, nonce, key.pointer) == 0
        else { throw .cryptoFailure("libsodium refused to encrypt") }
        return nonce + sealed.prefix(Int(length))
    }

    /// Decrypts what ``encrypt(_:context:)`` made with this key and the same `context`; `nil` when
    /// anything differs (another key, another context, altered bytes).
    public func decrypt(_ ciphertext: [UInt8], context: [UInt8]) -> [UInt8]? {
        guard ciphertext.count >= Self.nonceByteCount + Self.tagByteCount else { return nil }
        let nonce = Array(ciphertext[..<Self.nonceByteCount])
        let sealed = Array(ciphertext[Self.nonceByteCount...])
        var plaintext = [UInt8](repeating: 0, count: sealed.count - Self.tagByteCount)
        var length: UInt64 = 0
        guard crypto_aead_xchacha20poly1305_ietf_decrypt(
            &plaintext, &length, nil, sealed, UInt64(sealed.count), context, UInt64(context.count), nonce, key.pointer) == 0
        else { return nil }
        return Array(plaintext.prefix(Int(length)))
    }

    /// Shows the identifier only.
    public var description: String { "ChannelKey(id: \(Base64URL.encode(id)), key: <redacted>)" }
}
