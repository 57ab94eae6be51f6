import ConclaveProtocol
import Testing

/// A sequence's count must fit the bytes that remain at its element's smallest encoding, so a
/// peer cannot make the decoder reserve room for values its bytes could never hold.
@Suite("Counts bounded by the bytes that hold them")
struct HostileCountTests {
    /// `Presence { channel: None, sessions: <count> }` followed by `body` zero bytes.
    static func presence(count: UInt16, body: Int) -> [UInt8] {
        [UInt8(ProtocolMessage.presence(channel: nil, sessions: []).wireIndex), 0, 251]
            + withUnsafeBytes(of: count.littleEndian, Array.init) + [UInt8](repeating: 0, count: body)
    }

    @Test func aCountTheRemainingBytesCannotHoldIsRefusedBeforeDecoding() {
        // 300 paths claimed, 300 bytes left: a path needs at least 3 (three empty strings).
        #expect(throws: WireFormatError.lengthExceedsInput(offset: 2, declared: 300, remaining: 300)) {
            try ProtocolMessage(wireBytes: Self.presence(count: 300, body: 300))
        }
        // Exactly enough bytes for 100 empty paths decodes.
        let decoded = try? ProtocolMessage(wireBytes: Self.presence(count: 100, body: 300))
        #expect(decoded == .presence(channel: nil, sessions: Array(repeating: SessionPath(user: "", machine: "", session: ""), count: 100)))
    }
}
