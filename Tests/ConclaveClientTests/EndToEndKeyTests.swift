import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// The keys of end-to-end encrypted channels: X25519 keys announced under the machine's Ed25519
/// key, channel keys sealed to them, and XChaCha20-Poly1305 bound to its context.
@Suite("End-to-end keys")
struct EndToEndKeyTests {
    @Test func anAnnouncementVerifiesOnlyForItsMachineServerAndKey() throws {
        let machine = try SigningKey.generate()
        let agreement = try AgreementKey.generate()
        let announcement = AgreementAnnouncement.make(
            for: agreement, signedBy: machine, serverID: "srv", user: "alice", machine: "laptop", nowMs: 1_000)
        #expect(announcement.isSigned(by: machine.publicKey, serverID: "srv", user: "alice", machine: "laptop"))
        // A server that swaps in its own X25519 key, or moves the announcement, is caught.
        var swapped = announcement
        swapped.publicKey = try AgreementKey.generate().publicKey
        #expect(!swapped.isSigned(by: machine.publicKey, serverID: "srv", user: "alice", machine: "laptop"))
        #expect(!announcement.isSigned(by: machine.publicKey, serverID: "srv", user: "alice", machine: "desktop"))
        #expect(!announcement.isSigned(by: machine.publicKey, serverID: "other", user: "alice", machine: "laptop"))
        #expect(!announcement.isSigned(by: try SigningKey.generate().publicKey, serverID: "srv", user: "alice", machine: "laptop"))
    }

    @Test func aChannelKeySealedToAMemberOpensOnlyWithThatMembersKey() throws {
        let channelKey = try ChannelKey.generate()
        let member = try AgreementKey.generate()
        let outsider = try AgreementKey.generate()
        let sealed = try AgreementKey.seal(channelKey.sealable, to: member.publicKey)
        #expect(outsider.open(sealed) == nil)
        let copy = try #require(member.open(sealed).flatMap(ChannelKey.unsealed))
        #expect(copy.id == channelKey.id)
        let context = Array("ops alice/laptop/s1".utf8)
        let ciphertext = try channelKey.encrypt(Array("deploy at five".utf8), context: context)
        #expect(copy.decrypt(ciphertext, context: context) == Array("deploy at five".utf8))
    }

    @Test func ciphertextOpensOnlyWithItsKeyItsContextAndUnaltered() throws {
        let key = try ChannelKey.generate()
        let context = Array("ops alice/laptop/s1".utf8)
        let plaintext = Array("the secret plan".utf8)
        let ciphertext = try key.encrypt(plaintext, context: context)
        #expect(!ciphertext.contains(subsequence: plaintext))
        #expect(key.decrypt(ciphertext, context: Array("general alice/laptop/s1".utf8)) == nil)
        #expect(try ChannelKey.generate().decrypt(ciphertext, context: context) == nil)
        var altered = ciphertext
        altered[altered.count - 1] ^= 1
        #expect(key.decrypt(altered, context: context) == nil)
        #expect(key.decrypt(Array(ciphertext.prefix(10)), context: context) == nil)
        // A fresh nonce each time: the same message encrypts differently.
        #expect(try key.encrypt(plaintext, context: context) != ciphertext)
        #expect(ChannelKey.unsealed([1, 2, 3]) == nil)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<($0 + subsequence.count)].elementsEqual(subsequence) }
    }
}

extension EndToEndKeyTests {
    @Test func theAnnouncedEncodingIsStable() {
        // Golden bytes (Docs/PROTOCOL.md, "Extension: signatures"): the domain, "srv", "a", "m",
        // the 32-byte key, 1000 as a zigzag varint.
        let announcement = AgreementAnnouncement(publicKey: [UInt8](repeating: 1, count: 32), createdMs: 1_000, signature: [])
        let hex = announcement.signedBytes(serverID: "srv", user: "a", machine: "m").map { String(format: "%02x", $0) }.joined()
        #expect(hex == "636f6e636c6176652f61677265656d656e742d6b65792f763100" + "03737276" + "0161" + "016d"
            + "20" + String(repeating: "01", count: 32) + "fbd007")
    }
}
