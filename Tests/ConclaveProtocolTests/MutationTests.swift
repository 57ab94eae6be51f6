import ConclaveProtocol
import Testing

/// Feeds the decoder mutated versions of every valid vector. Decoding must only ever return or
/// throw; a trap would end the test process. Whatever decodes must also survive a round trip,
/// which catches a decoder that "succeeds" into an inconsistent value.
@Suite("Decoder under mutated input")
struct MutationTests {
    static let seeds: [UInt64] = [0xC0C1_A7E, 0x5EED_0001, 0x5EED_0002, 0x5EED_0003]
    static let inputsPerSeed = 30_000

    @Test(arguments: seeds)
    func decoderOnlyReturnsOrThrows(seed: UInt64) async {
        let corpus = VectorCatalogue.shared.vectors
            .filter { $0.type == "ProtocolMessage" }
            .map { bytes(hex: $0.hex) }
        #expect(corpus.count == 88)
        var rng = SplitMix64(seed: seed)
        var decoded = 0
        var rejected = 0
        for iteration in 0..<Self.inputsPerSeed {
            // CPU-bound: let other tests (some time-sensitive) share the two concurrency threads.
            if iteration % 1000 == 0 { await Task.yield() }
            let input = Self.mutate(corpus, using: &rng)
            do {
                let message = try ProtocolMessage(wireBytes: input)
                let reencoded = message.wireBytes
                #expect(try ProtocolMessage(wireBytes: reencoded) == message)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(decoded + rejected == Self.inputsPerSeed)
        // Both outcomes must occur, or the mutations are not exercising the decoder.
        #expect(decoded > 0)
        #expect(rejected > 0)
    }

    static func mutate(_ corpus: [[UInt8]], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = corpus.randomElement(using: &rng) ?? []
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))
            case 1 where !bytes.isEmpty:
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 2 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 3:
                let other = corpus.randomElement(using: &rng) ?? []
                let cut = Int.random(in: 0...bytes.count, using: &rng)
                let otherCut = Int.random(in: 0...other.count, using: &rng)
                bytes = Array(bytes[..<cut]) + other[otherCut...]
            case 4:
                // Interesting markers: varint prefixes, reserved bytes, option/bool edge values.
                let marker: [UInt8] = [0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x00, 0x01, 0x02, 0xFA]
                let index = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(marker.randomElement(using: &rng) ?? 0xFF, at: index)
            default:
                let count = Int.random(in: 1...8, using: &rng)
                bytes += (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
        }
        return bytes
    }
}
