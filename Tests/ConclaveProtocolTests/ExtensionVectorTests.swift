import ConclaveProtocol
import Testing

/// The `receipts` extension frames: golden bytes (also in Docs/PROTOCOL.md), round trips, and
/// the gaps around them that stay unknown.
@Suite("Extension frames (receipts)")
struct ExtensionVectorTests {
    static let abc = SessionPath(user: "a", machine: "b", session: "c")
    static let def = SessionPath(user: "d", machine: "e", session: "f")

    static let vectors: [(ProtocolMessage, String)] = [
        (.posted(id: 300), "40fb2c01"),
        (.taggedChannelMessage(id: 1, channel: "ops", from: abc, payload: .plain("hi")), "4101036f707301610162016300026869"),
        (.taggedWhisper(id: 2, from: abc, target: def, payload: .plain("x")), "4202016101620163016401650166000178"),
        (.receipt(id: 7, state: .acked, detail: nil), "43070500"),
        (.receipt(id: 7, state: .held, detail: "mute"), "43070301046d757465"),
        (.receiptUpdate(id: 1, record: ReceiptRecord(recipient: abc, state: .injected, atMs: 1000, detail: nil)), "440101610162016302fbd00700"),
        (.receiptQuery(id: 7), "4507"),
        (.receiptList(id: 1, records: []), "460100"),
        (.heldWhisper(target: abc, payload: .plain("x"), holdSeconds: 60), "470161016201630001783c"),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodes(_ message: ProtocolMessage, _ golden: String) throws {
        #expect(hex(message.wireBytes) == golden)
        #expect(try ProtocolMessage(wireBytes: bytes(hex: golden)) == message)
        #expect(message.requiredExtension == .receipts)
        #expect(ProtocolMessage.variantIndex(ofWireBytes: bytes(hex: golden)) == message.wireIndex)
    }

    @Test func everyExtensionVariantHasAVector() {
        #expect(Set(Self.vectors.map(\.0.wireIndex)) == Set(64...71))
    }

    @Test(arguments: [UInt32(28), 40, 63, 88, 200, 1000])
    func indicesAroundTheExtensionsStayUnknown(_ index: UInt32) {
        var bytes: [UInt8] = index < 251 ? [UInt8(index)] : [251, UInt8(index & 0xFF), UInt8(index >> 8)]
        bytes += [0, 0, 0]
        #expect(throws: WireFormatError.self) { try ProtocolMessage(wireBytes: bytes) }
        #expect(ProtocolMessage.variantIndex(ofWireBytes: bytes) == nil)
    }

    @Test func aReceiptStateOutOfRangeIsRefused() {
        #expect(throws: WireFormatError.self) { try ProtocolMessage(wireBytes: [0x43, 0x07, 0x07, 0x00]) }
        #expect(ProtocolExtension.parse(" Receipts ,unknown, receipts") == [.receipts])
        #expect(ProtocolExtension.parse(nil).isEmpty)
        #expect(ProtocolExtension.headerValue([.receipts]) == "receipts")
    }

    @Test func v1FramesNeedNoExtension() {
        #expect(ProtocolMessage.ping.requiredExtension == nil)
        #expect(ProtocolMessage.history(channel: "x", messages: []).requiredExtension == nil)
    }
}
