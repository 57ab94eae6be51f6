internal import CSodium

/// libsodium must be initialised once before use; `sodium_init` is idempotent and thread-safe.
enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    static func ensureInitialised() throws(IdentityError) {
        guard initialised else {
            throw .cryptoFailure("libsodium could not be initialised")
        }
    }

    /// Fills `count` bytes from the operating system's CSPRNG.
    static func randomBytes(_ count: Int) throws(IdentityError) -> [UInt8] {
        try ensureInitialised()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress {
                randombytes_buf(base, buffer.count)
            }
        }
        return bytes
    }

    /// Overwrites memory in a way the optimiser may not remove.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        if let base = buffer.baseAddress {
            sodium_memzero(base, buffer.count)
        }
    }
}

/// Random values from the operating system's CSPRNG, for nonces, tokens and instance IDs.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(IdentityError) -> [UInt8] {
        try Sodium.randomBytes(count)
    }

    /// A bearer token: 24 random bytes (192 bits) as 32 characters of base64url.
    /// Never begins with `-`, so a token pasted after a command-line flag or as a positional
    /// argument is never read as an option (143 bits of randomness remain).
    public static func token() throws(IdentityError) -> String {
        while true {
            let token = Base64URL.encode(try bytes(24))
            if token.first != "-" { return token }
        }
    }
}
