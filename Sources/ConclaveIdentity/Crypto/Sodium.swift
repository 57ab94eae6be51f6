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
