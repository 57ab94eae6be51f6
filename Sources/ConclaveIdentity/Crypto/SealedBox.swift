internal import CSodium

/// Anonymous public-key encryption to a machine's Ed25519 key (libsodium's sealed box over the
/// key's X25519 form).
///
/// The permission relay uses it so that a prompt's contents, and the codes that answer it, can be
/// read only by a process holding the approver machine's private key: an agent that sees the
/// ciphertext (or relays it through any tool) learns nothing it could answer with.
public enum SealedBox {
    /// Bytes a sealed box adds to its plaintext.
    public static let overhead = Int(crypto_box_sealbytes())

    /// Encrypts `plaintext` so that only the holder of `recipient`'s private key can open it.
    public static func seal(_ plaintext: [UInt8], to recipient: PublicKey) throws(IdentityError) -> [UInt8] {
        try Sodium.ensureInitialised()
        var curve = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
        guard crypto_sign_ed25519_pk_to_curve25519(&curve, recipient.bytes) == 0 else {
            throw .cryptoFailure("the public key has no X25519 form (it is not a valid Ed25519 point)")
        }
        var box = [UInt8](repeating: 0, count: plaintext.count + overhead)
        guard crypto_box_seal(&box, plaintext, UInt64(plaintext.count), curve) == 0 else {
            throw .cryptoFailure("libsodium refused to seal the message")
        }
        return box
    }
}
