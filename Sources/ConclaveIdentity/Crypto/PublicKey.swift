internal import CSodium

/// A machine's Ed25519 public key (32 bytes). Its text form is 43 characters of base64url.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The length of a raw public key.
    public static let byteCount = 32
    /// The length of a detached signature.
    public static let signatureByteCount = 64

    /// The raw key, as sent in `Auth` and `Register`.
    public let bytes: [UInt8]

    /// Wraps raw key bytes; refuses anything but 32 bytes.
    public init(bytes: [UInt8]) throws(IdentityError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidPublicKey("a public key is \(Self.byteCount) bytes, this one is \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Parses the 43-character text form, trimming surrounding whitespace.
    public init(text: String) throws(IdentityError) {
        let trimmed = text.trimmingWhitespace()
        guard let decoded = Base64URL.decode(trimmed) else {
            throw .invalidPublicKey("`\(trimmed)` is not unpadded base64url")
        }
        try self.init(bytes: decoded)
    }

    /// The 43-character base64url text, as `conclave key` prints it.
    public var text: String { Base64URL.encode(bytes) }

    public var description: String { text }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key.
    public func verify(signature: [UInt8], for message: [UInt8]) -> Bool {
        guard (try? Sodium.ensureInitialised()) != nil, signature.count == Self.signatureByteCount else {
            return false
        }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
