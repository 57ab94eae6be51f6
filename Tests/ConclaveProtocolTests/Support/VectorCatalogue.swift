import Foundation
import Testing

/// `vectors.json` from the reference specification, copied into this target's resources.
struct VectorCatalogue: Decodable, Sendable {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let type: String
        let frame: JSONValue
        let hex: String
        let len: Int
        var testDescription: String { name }
    }

    struct Invalid: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let type: String
        let hex: String
        let expect: String
        let decodes_as: JSONValue?
        let consumed: Int?
        var testDescription: String { name }
    }

    struct Handshake: Decodable, Sendable {
        let ed25519_seed_hex: String
        let ed25519_pubkey_hex: String
        let pubkey_base64url_nopad: String
        let nonce_hex: String
        let signature_hex: String
    }

    let protocol_version: Int
    let vectors: [Vector]
    let invalid: [Invalid]
    let handshake_example: Handshake

    /// Loaded once; a missing or unreadable file yields an empty catalogue, which the
    /// `catalogueIsComplete` test turns into a failure.
    static let shared: VectorCatalogue = {
        guard let url = Bundle.module.url(forResource: "vectors", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let catalogue = try? JSONDecoder().decode(VectorCatalogue.self, from: data)
        else {
            return VectorCatalogue(
                protocol_version: 0, vectors: [], invalid: [],
                handshake_example: Handshake(ed25519_seed_hex: "", ed25519_pubkey_hex: "", pubkey_base64url_nopad: "", nonce_hex: "", signature_hex: ""))
        }
        return catalogue
    }()
}


/// Parses lowercase or uppercase hex without separators.
func bytes(hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var iterator = hex.utf8.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        result.append(nibble(high) << 4 | nibble(low))
    }
    return result
}

private func nibble(_ ascii: UInt8) -> UInt8 {
    switch ascii {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): ascii - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): ascii - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): ascii - UInt8(ascii: "A") + 10
    default: 0xFF
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
