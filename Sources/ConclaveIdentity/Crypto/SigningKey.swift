internal import CSodium

/// A machine's Ed25519 private key.
///
/// The seed and the expanded secret key live in memory this object owns and wipes when it is
/// released (``SecretBuffer``). The description shows only the public key.
public final class SigningKey: Sendable, CustomStringConvertible {
    /// The length of an Ed25519 seed, the value stored in the key file.
    public static let seedByteCount = 32

    /// The matching public key.
    public let publicKey: PublicKey
    // 32-byte seed followed by libsodium's 64-byte secret key.
    private let storage: SecretBuffer
    private var secret: UnsafeMutablePointer<UInt8> { storage.pointer }
    private static let storageByteCount = seedByteCount + Int(crypto_sign_SECRETKEYBYTES)

    /// Derives the key pair from a 32-byte seed (RFC 8032 private key).
    public init(seed: [UInt8]) throws(IdentityError) {
        guard seed.count == Self.seedByteCount else {
            throw .cryptoFailure("an Ed25519 seed is \(Self.seedByteCount) bytes, this one is \(seed.count)")
        }
        try Sodium.ensureInitialised()
        let storage = SecretBuffer(count: Self.storageByteCount)
        storage.pointer.update(from: seed, count: Self.seedByteCount)
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        let status = crypto_sign_seed_keypair(&publicBytes, storage.pointer + Self.seedByteCount, storage.pointer)
        guard status == 0, let key = try? PublicKey(bytes: publicBytes) else {
            throw .cryptoFailure("libsodium refused to derive a key pair")
        }
        self.storage = storage
        publicKey = key
    }

    /// Creates a new key from the operating system's CSPRNG.
    public static func generate() throws(IdentityError) -> SigningKey {
        var seed = try Sodium.randomBytes(seedByteCount)
        defer { seed.withUnsafeMutableBytes(Sodium.wipe) }
        return try SigningKey(seed: seed)
    }

    /// The seed as the key file stores it: 43 characters of base64url. Handle with care.
    public var seedText: String {
        Base64URL.encode(storage.bytes(count: Self.seedByteCount))
    }

    /// Signs `message` (for a challenge: exactly the raw nonce bytes) and returns 64 bytes.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: PublicKey.signatureByteCount)
        var length: UInt64 = 0
        _ = crypto_sign_detached(&signature, &length, message, UInt64(message.count), secret + Self.seedByteCount)
        return signature
    }

    /// Opens a ``SealedBox`` sealed to this key's public key; `nil` when it was sealed to another
    /// key or altered.
    public func openSealedBox(_ box: [UInt8]) -> [UInt8]? {
        guard box.count >= SealedBox.overhead else { return nil }
        var curveSecret = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
        var curvePublic = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        defer { curveSecret.withUnsafeMutableBytes(Sodium.wipe) }
        guard crypto_sign_ed25519_sk_to_curve25519(&curveSecret, secret + Self.seedByteCount) == 0,
            crypto_sign_ed25519_pk_to_curve25519(&curvePublic, publicKey.bytes) == 0
        else { return nil }
        var plaintext = [UInt8](repeating: 0, count: box.count - SealedBox.overhead)
        guard crypto_box_seal_open(&plaintext, box, UInt64(box.count), curvePublic, curveSecret) == 0 else { return nil }
        return plaintext
    }

    /// Shows the public key; the private part is never printed.
    public var description: String { "SigningKey(public: \(publicKey.text), private: <redacted>)" }
}
