import ConclaveProtocol
import Testing

@Suite("Golden vectors from the reference (vectors.json)")
struct GoldenVectorTests {
    static let catalogue = VectorCatalogue.shared

    @Test func catalogueIsComplete() {
        #expect(Self.catalogue.protocol_version == Int(PROTOCOL_VERSION))
        #expect(Self.catalogue.vectors.count == 90)
        #expect(Self.catalogue.invalid.count == 22)
    }

    @Test func vectorsCoverEveryMessageVariant() throws {
        let indices = Set(try Self.catalogue.vectors.filter { $0.type == "ProtocolMessage" }
            .map { try FrameJSON.message($0.frame).wireIndex })
        #expect(indices == Set(0..<28))
    }

    @Test(arguments: catalogue.vectors)
    func encodesAndDecodes(_ vector: VectorCatalogue.Vector) throws {
        let expected = bytes(hex: vector.hex)
        #expect(expected.count == vector.len)
        switch vector.type {
        case "ProtocolMessage":
            let value = try FrameJSON.message(vector.frame)
            #expect(hex(value.wireBytes) == vector.hex)
            #expect(try ProtocolMessage(wireBytes: expected) == value)
            #expect(try ProtocolMessage.decodePrefix(expected).consumed == expected.count)
        case "Payload":
            let value = try FrameJSON.payload(vector.frame)
            #expect(hex(value.wireBytes) == vector.hex)
            #expect(try Payload(wireBytes: expected) == value)
        default:
            Issue.record("unknown vector type \(vector.type)")
        }
    }

    @Test(arguments: catalogue.invalid)
    func handlesInvalidInput(_ entry: VectorCatalogue.Invalid) throws {
        let input = bytes(hex: entry.hex)
        switch entry.expect {
        case "reject":
            #expect(throws: WireFormatError.self) { try ProtocolMessage(wireBytes: input) }
        case "accept", "accept_ignoring_trailing":
            let expected = try FrameJSON.message(try #require(entry.decodes_as))
            let (message, consumed) = try ProtocolMessage.decodePrefix(input)
            #expect(message == expected)
            #expect(consumed == entry.consumed)
            #expect(try ProtocolMessage(wireBytes: input) == expected)
        default:
            Issue.record("unknown expectation \(entry.expect)")
        }
    }

    /// The 11-byte frame that aborts the reference must be refused on its length, not by
    /// attempting a 2^40-byte allocation.
    @Test func hugeDeclaredLengthIsRefusedBeforeAllocation() {
        let hostile = bytes(hex: "0001fd0000000000010000")
        #expect(throws: WireFormatError.lengthExceedsInput(offset: 2, declared: 1 << 40, remaining: 0)) {
            try ProtocolMessage(wireBytes: hostile)
        }
    }

    @Test func specificRejectionsAreTyped() {
        #expect(throws: WireFormatError.invalidIntegerMarker(offset: 1, marker: 0xFD, target: .u32)) {
            try ProtocolMessage(wireBytes: bytes(hex: "00fd01000000000000000161"))
        }
        #expect(throws: WireFormatError.unknownVariant(type: "ProtocolMessage", index: 28, count: 28)) {
            try ProtocolMessage(wireBytes: [0x1C])
        }
        #expect(throws: WireFormatError.invalidUTF8(offset: 3)) {
            try ProtocolMessage(wireBytes: bytes(hex: "000103eda080"))
        }
        #expect(throws: WireFormatError.invalidBool(offset: 1, byte: 2)) {
            try ProtocolMessage(wireBytes: [0x14, 0x02])
        }
        #expect(throws: WireFormatError.unexpectedEnd(offset: 0, needed: 1)) {
            try ProtocolMessage(wireBytes: [])
        }
    }

    @Test func frameCapIsEnforced() throws {
        let oversized = [UInt8](repeating: 0x12, count: FrameLimits.maxFrameBytes + 1)
        #expect(throws: WireFormatError.frameTooLarge(length: FrameLimits.maxFrameBytes + 1, limit: FrameLimits.maxFrameBytes)) {
            try ProtocolMessage(wireBytes: oversized)
        }
        // Exactly at the cap is still a frame (a Ping followed by ignored trailing bytes).
        let atCap = [UInt8](repeating: 0x12, count: FrameLimits.maxFrameBytes)
        #expect(try ProtocolMessage(wireBytes: atCap) == .ping)
    }
}
