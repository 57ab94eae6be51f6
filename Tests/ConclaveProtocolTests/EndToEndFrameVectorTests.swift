import ConclaveProtocol
import Testing

/// The `e2e` extension frames: golden bytes (also in Docs/PROTOCOL.md) and round trips.
@Suite("Extension frames (e2e)")
struct EndToEndFrameVectorTests {
    static let announcement = AgreementAnnouncement(
        publicKey: [UInt8](repeating: 1, count: 32), createdMs: 1000, signature: [UInt8](repeating: 2, count: 64))
    /// The announcement's bytes: the key, zigzag 1000, the signature.
    static let announced = "20" + String(repeating: "01", count: 32) + "fbd007" + "40" + String(repeating: "02", count: 64)
    static let share = SealedChannelKey(
        recipient: "b/n", keyID: [UInt8](repeating: 5, count: 16), sealed: [6, 6, 6], createdMs: 1000,
        publicKey: [UInt8](repeating: 7, count: 32), signature: [UInt8](repeating: 8, count: 64))
    static let shared = "03622f6e" + "10" + String(repeating: "05", count: 16) + "03060606" + "fbd007"
        + "20" + String(repeating: "07", count: 32) + "40" + String(repeating: "08", count: 64)

    static let vectors: [(ProtocolMessage, String)] = [
        (.publishAgreement(announcement: announcement), "4f" + announced),
        (.memberKeysQuery(channel: "ops"), "50036f7073"),
        (
            .memberKeys(channel: "ops", encrypted: true, members: [
                MemberMachine(user: "a", machine: "m", signingKey: [UInt8](repeating: 3, count: 32), agreement: announcement),
                MemberMachine(user: "b", machine: "n", signingKey: [UInt8](repeating: 4, count: 32), agreement: nil),
            ]),
            "51" + "036f7073" + "01" + "02" + "0161" + "016d" + "20" + String(repeating: "03", count: 32) + "01" + announced
                + "0162" + "016e" + "20" + String(repeating: "04", count: 32) + "00"
        ),
        (.markEncrypted(channel: "ops"), "52036f7073"),
        (.shareChannelKey(channel: "ops", keys: [share]), "53" + "036f7073" + "01" + shared),
        (.channelKeysQuery(channel: "ops"), "54036f7073"),
        (.channelKeys(channel: "ops", keys: [SharedChannelKey(sender: "a/m", key: share)]), "55" + "036f7073" + "01" + "03612f6d" + shared),
        (.listEncrypted, "56"),
        (.encryptedChannels(channels: ["ops"]), "5701036f7073"),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodes(_ message: ProtocolMessage, _ golden: String) throws {
        #expect(hex(message.wireBytes) == golden)
        #expect(try ProtocolMessage(wireBytes: bytes(hex: golden)) == message)
        #expect(message.requiredExtension == .e2e)
        #expect(ProtocolMessage.variantIndex(ofWireBytes: bytes(hex: golden)) == message.wireIndex)
    }

    @Test func everyEndToEndVariantHasAVectorAndTheNextIndexIsUnknown() {
        #expect(Set(Self.vectors.map(\.0.wireIndex)) == Set(79...87))

    }

    @Test func aKeyShareSignsItsServerChannelSenderAndRecipient() throws {
        // Golden bytes (Docs/PROTOCOL.md): any change breaks every share already made.
        let signed = Self.share.signedBytes(serverID: "srv", channel: "ops", sender: "a/m")
        let expected = "636f6e636c6176652f6368616e6e656c2d6b65792f763100" + "03737276" + "036f7073" + "03612f6d" + "03622f6e"
            + "10" + String(repeating: "05", count: 16) + "03060606" + "fbd007"
        #expect(hex(signed) == expected)
        #expect(Self.share.isWellFormed)
        #expect(try SealedChannelKey(wireBytes: Self.share.wireBytes) == Self.share)
        #expect(try AgreementAnnouncement(wireBytes: Self.announcement.wireBytes) == Self.announcement)
        #expect(Self.announcement.isWellFormed)
    }
}
