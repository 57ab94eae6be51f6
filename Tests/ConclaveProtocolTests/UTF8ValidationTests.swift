@testable import ConclaveProtocol
import Testing

/// The codec's own UTF-8 validator must agree exactly with the standard library's strict one.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    static func ours(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(UTF8Validation.isValid)
    }

    static func stdlib(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }

    @Test(arguments: [
        [], [0x41], Array("plain ascii that is longer than eight bytes".utf8), Array("日本語 ✓ 🎉".utf8),
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF],
        [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF5, 0x80, 0x80, 0x80],
        [0xFF], [0xFE], [0x80], [0xE2, 0x9C], [0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xE2, 0x9C, 0x93],
        [0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xF0, 0x9F, 0x8E],
    ] as [[UInt8]])
    func edgeCasesAgreeWithTheStandardLibrary(_ bytes: [UInt8]) {
        #expect(Self.ours(bytes) == Self.stdlib(bytes))
    }

    @Test func randomInputsAgreeWithTheStandardLibrary() async {
        var rng = SplitMix64(seed: 0x0075_7466_38)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF,
                                    0xE0, 0xE1, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
        var valid = 0
        for iteration in 0..<200_000 {
            if iteration % 1000 == 0 { await Task.yield() }
            let length = Int.random(in: 0...24, using: &rng)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng) ?? 0 : UInt8.random(in: 0...255, using: &rng)
            }
            let expected = Self.stdlib(bytes)
            #expect(Self.ours(bytes) == expected, "\(bytes)")
            if expected { valid += 1 }
        }
        #expect(valid > 1000)
    }
}
