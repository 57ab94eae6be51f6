/// Strict UTF-8 validation (Unicode Table 3-7: no overlongs, no surrogates, nothing above
/// U+10FFFF).
///
/// The standard library's `String(validating:as:)` is correct but, being generic over the encoding
/// and not specialised, costs a runtime metadata lookup per call, which dominated frame decoding.
/// This validator is checked against it in `UTF8ValidationTests`.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while true {
            // Fast path: skip ASCII eight bytes at a time, then byte by byte.
            while index &+ 8 <= count,
                  UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index &+= 8
            }
            while index < count, base[index] < 0x80 {
                index &+= 1
            }
            guard index < count else { return true }
            guard let length = sequenceLength(at: base + index, available: count &- index) else {
                return false
            }
            index &+= length
        }
    }

    /// The length of the valid multi-byte sequence starting at `start`, or `nil`.
    @inline(__always)
    private static func sequenceLength(at start: UnsafePointer<UInt8>, available: Int) -> Int? {
        let lead = start[0]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard length <= available, start[1] >= low, start[1] <= high else { return nil }
        for offset in 2..<length where start[offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }
}
