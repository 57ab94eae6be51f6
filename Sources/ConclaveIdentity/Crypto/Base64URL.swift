internal import CSodium

/// RFC 4648 §5 base64url without padding, the text form of keys, seeds and tokens.
///
/// Decoding is strict, as the reference's is: padding, the standard alphabet's `+` and `/`,
/// inner whitespace and non-zero trailing bits are all refused.
public enum Base64URL {
    /// Encodes bytes; 32 bytes become 43 characters.
    public static func encode(_ bytes: [UInt8]) -> String {
        let variant = Int32(sodium_base64_VARIANT_URLSAFE_NO_PADDING)
        let capacity = sodium_base64_encoded_len(bytes.count, variant)
        var output = [CChar](repeating: 0, count: capacity)
        _ = bytes.withUnsafeBufferPointer { input in
            sodium_bin2base64(&output, capacity, input.baseAddress, input.count, variant)
        }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes strictly; returns `nil` for anything that is not canonical base64url-no-pad.
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 3 / 4 + 1)
        var length = 0
        let status = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { chars in
                sodium_base642bin(
                    &output, output.count, chars.baseAddress, chars.count, nil, &length, nil,
                    Int32(sodium_base64_VARIANT_URLSAFE_NO_PADDING))
            }
        }
        guard status == 0 else { return nil }
        return Array(output.prefix(length))
    }
}
