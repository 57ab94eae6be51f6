internal import CSodium

/// A machine's X25519 key pair for end-to-end encryption: channel keys are sealed to its public
/// half.
///
/// It is its own key, not derived from the machine's Ed25519 key, so the signing key and the
/// encryption key can be replaced apart; the machine publishes the public half signed by its
/// Ed25519 key (``AgreementAnnouncement``). The secret lives in memory this object owns and wipes
/// when it is released, and is never printed.
public final class AgreementKey: Sendable, CustomStringConvertible {
    /// Bytes of an X25519 key, public or secret.
    public static let byteCount = Int(crypto_box_SECRETKEYBYTES)

    /// The public half, to publish.
    public let publicKey: [UInt8]
    private let secret: SecretBuffer

    /// Restores a key pair from its 32 secret bytes.
    public init(secret bytes: [UInt8]) throws(IdentityError) {
        guard bytes.count == Self.byteCount else {
            throw .cryptoFailure("an X25519 secret key is \(Self.byteCount) bytes, this one is \(bytes.count)")
        }
        try Sodium.ensureInitialised()
        let storage = SecretBuffer(copying: bytes)
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        guard crypto_scalarmult_base(&publicBytes, storage.pointer) == 0 else {
            throw .cryptoFailure("libsodium refused to derive an X25519 public key")
        }
        secret = storage
        publicKey = publicBytes
    }

    /// A new key pair from the operating system's CSPRNG.
    public static func generate() throws(IdentityError) -> AgreementKey {
        var bytes = try Sodium.randomBytes(byteCount)
        defer { bytes.withUnsafeMutableBytes(Sodium.wipe) }
        return try AgreementKey(secret: bytes)
    }

    /// Seals `plaintext` (a channel key) so that only the holder of the X25519 secret matching
    /// `recipient` can open it (libsodium's sealed box: an ephemeral key per message).
    public static func seal(_ plaintext: [UInt8], to recipient: [UInt8]) throws(IdentityError) -> [UInt8] {
        try Sodium.ensureInitialised()
        guard recipient.count == Int(crypto_box_PUBLICKEYBYTES) else {
            throw .cryptoFailure("an X25519 public key is \(crypto_box_PUBLICKEYBYTES) bytes, this one is \(recipient.count)")
        }
        var box = [UInt8](repeating: 0, count: plaintext.count + SealedBox.overhead)
        guard crypto_box_seal(&box, plaintext, UInt64(plaintext.count), recipient) == 0 else {
            throw .cryptoFailure("libsodium refused to seal the key")
        }
        return box
    }

    /// Opens a box sealed to this key; `nil` when it was sealed to another key or altered.
    public func open(_ box: [UInt8]) -> [UInt8]? {
        guard box.count >= SealedBox.overhead else { return nil }
        var plaintext = [UInt8](repeating: 0, count: box.count - SealedBox.overhead)
        guard crypto_box_seal_open(&plaintext, box, UInt64(box.count), publicKey, secret.pointer) == 0 else { return nil }
        return plaintext
    }

    /// The secret as the key file stores it: 43 characters of base64url. Handle with care.
    public var secretText: String {
        Base64URL.encode(secret.bytes())
    }

    /// Shows the public half only.
    public var description: String { "AgreementKey(public: \(Base64URL.encode(publicKey)), private: <redacted>)" }
}
