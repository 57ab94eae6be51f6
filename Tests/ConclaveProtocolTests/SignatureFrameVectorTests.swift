import ConclaveProtocol
import Testing

/// The `signatures` extension frames: golden bytes (also in Docs/PROTOCOL.md), round trips, and
/// the indices after them that stay unknown.
@Suite("Extension frames (signatures)")
struct SignatureFrameVectorTests {
    static let abc = SessionPath(user: "a", machine: "b", session: "c")
    static let def = SessionPath(user: "d", machine: "e", session: "f")
    static let signature = MessageSignature(
        timestampMs: 1000, nonce: [UInt8](repeating: 0xAB, count: 16), publicKey: [UInt8](repeating: 0xEF, count: 32),
        signature: [UInt8](repeating: 0xCD, count: 64))
    /// The signature's bytes: zigzag 1000, then the nonce, the key and the signature with their lengths.
    static let signed = "fbd007" + "10" + String(repeating: "ab", count: 16) + "20" + String(repeating: "ef", count: 32)
        + "40" + String(repeating: "cd", count: 64)

    static let vectors: [(ProtocolMessage, String)] = [
        (.signedPost(channel: "ops", payload: .plain("hi"), signature: signature), "48" + "036f7073" + "00026869" + signed),
        (.signedWhisper(target: abc, payload: .plain("x"), signature: signature, holdSeconds: 0), "49" + "016101620163" + "000178" + signed + "00"),
        (
            .signedChannelMessage(id: 1, channel: "ops", from: abc, payload: .plain("hi"), signature: signature),
            "4a" + "01" + "036f7073" + "016101620163" + "00026869" + signed
        ),
        (
            .signedWhisperMessage(id: 2, from: abc, target: def, payload: .plain("x"), signature: signature),
            "4b" + "02" + "016101620163" + "016401650166" + "000178" + signed
        ),
        (
            .signedHistory(channel: "ops", messages: [
                SignedHistoryMessage(message: HistoryMessage(from: abc, tsMs: 1000, payload: .plain("hi")), signature: signature),
                SignedHistoryMessage(message: HistoryMessage(from: abc, tsMs: 5, payload: .plain("x")), signature: nil),
            ]),
            "4c" + "036f7073" + "02" + "016101620163" + "fbd007" + "00026869" + "01" + signed + "016101620163" + "0a" + "000178" + "00"
        ),
        (.keyQuery(user: "a"), "4d0161"),
        (.keyList(user: "a", machines: [MachineInfo(name: "m", pubkey: "k", addedAt: "t")]), "4e" + "0161" + "01" + "016d016b0174"),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodes(_ message: ProtocolMessage, _ golden: String) throws {
        #expect(hex(message.wireBytes) == golden)
        #expect(try ProtocolMessage(wireBytes: bytes(hex: golden)) == message)
        #expect(message.requiredExtension == .signatures)
        #expect(ProtocolMessage.variantIndex(ofWireBytes: bytes(hex: golden)) == message.wireIndex)
    }

    @Test func everySignaturesVariantHasAVector() {
        #expect(Set(Self.vectors.map(\.0.wireIndex)) == Set(72...78))
    }

    @Test(arguments: [UInt32(88), 100, 250])
    func indicesAfterTheExtensionsStayUnknown(_ index: UInt32) {
        let bytes: [UInt8] = [UInt8(index), 0, 0, 0]
        #expect(throws: WireFormatError.self) { try ProtocolMessage(wireBytes: bytes) }
        #expect(ProtocolMessage.variantIndex(ofWireBytes: bytes) == nil)
    }

    @Test func aStoredSignatureRoundTripsAndRefusesTrailingBytes() throws {
        let stored = Self.signature.wireBytes
        #expect(hex(stored) == Self.signed)
        #expect(try MessageSignature(wireBytes: stored) == Self.signature)
        #expect(throws: WireFormatError.self) { try MessageSignature(wireBytes: stored + [0]) }
        #expect(Self.signature.isWellFormed)
        #expect(!MessageSignature(timestampMs: 0, nonce: [1], publicKey: [UInt8](repeating: 0, count: 32), signature: [UInt8](repeating: 0, count: 64)).isWellFormed)
    }

    @Test func theTokenIsNegotiatedLikeReceipts() {
        #expect(ProtocolExtension.parse("receipts, Signatures") == [.receipts, .signatures])
        #expect(ProtocolExtension.headerValue([.signatures, .receipts]) == "receipts, signatures")
    }

    @Test func descriptionsNeverShowTheSignatureBytes() {
        let text = ProtocolMessage.signedPost(channel: "ops", payload: .plain("hi"), signature: Self.signature).description
        #expect(text.contains("<signed>"))
        #expect(!text.contains("205"))
    }
}
