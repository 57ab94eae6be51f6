import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// Sender keys of an end-to-end encrypted channel, with a server that relays everything to
/// everyone (a removed member included) and keeps every byte: who can read what.
@Suite("Channel keyring (end-to-end encrypted channels)")
struct ChannelKeyringTests {
    /// One member machine: its agreement key and its keyring.
    final class Machine {
        let name: String
        let agreement: AgreementKey
        var keyring: ChannelKeyring
        var path: SessionPath

        init(_ name: String) throws {
            self.name = name
            agreement = try AgreementKey.generate()
            keyring = ChannelKeyring(channel: "secret", machine: name)
            let parts = name.split(separator: "/").map(String.init)
            path = SessionPath(user: parts[0], machine: parts[1], session: "s1")
        }

        var member: ChannelKeyring.Member { .init(machine: name, agreementKey: agreement.publicKey) }

        /// Encrypts a post for `members`, handing the distribution, if any, to every machine in
        /// `relayTo` (a hostile relay may hand it to anyone: only sealed copies are in it).
        func post(_ text: String, members: [Machine], relayTo: [Machine]) throws -> Envelope {
            let (key, distribution) = try keyring.senderKey(for: Set(members.map(\.member)))
            if let distribution {
                for machine in relayTo {
                    for sealed in distribution.copies.values where machine.keyring.accept(sealed, from: name, with: machine.agreement) {
                        break
                    }
                }
            }
            return try keyring.encrypt(text, with: key, as: path)
        }
    }

    @Test func membersReadWhatTheyWereSentAndNothingElse() throws {
        let alice = try Machine("alice/laptop")
        let bob = try Machine("bob/ws")
        let carol = try Machine("carol/pc")
        let everyone = [alice, bob, carol]

        let first = try alice.post("before anyone leaves", members: [bob, carol], relayTo: everyone)
        #expect(bob.keyring.decrypt(first, from: alice.path) == "before anyone leaves")
        #expect(carol.keyring.decrypt(first, from: alice.path) == "before anyone leaves")
        #expect(alice.keyring.decrypt(first, from: alice.path) == "before anyone leaves")

        // Carol is removed; the server keeps relaying to her anyway.
        let afterRemoval = try alice.post("after carol left", members: [bob], relayTo: everyone)
        #expect(bob.keyring.decrypt(afterRemoval, from: alice.path) == "after carol left")
        #expect(carol.keyring.decrypt(afterRemoval, from: alice.path) == nil)

        // Dave joins: he reads from his join on, not what came before.
        let dave = try Machine("dave/box")
        let afterJoin = try alice.post("after dave joined", members: [bob, dave], relayTo: everyone + [dave])
        #expect(dave.keyring.decrypt(afterJoin, from: alice.path) == "after dave joined")
        #expect(dave.keyring.decrypt(first, from: alice.path) == nil)
        #expect(dave.keyring.decrypt(afterRemoval, from: alice.path) == nil)
        #expect(carol.keyring.decrypt(afterJoin, from: alice.path) == nil)
    }

    @Test func theServersCopyHoldsNoPlaintextAndMovedPostsDoNotOpen() throws {
        let alice = try Machine("alice/laptop")
        let bob = try Machine("bob/ws")
        let secret = "the launch code is 0000"
        let envelope = try alice.post(secret, members: [bob], relayTo: [bob])
        // Everything a server stores: the envelope's bytes, and the sealed copies.
        #expect(!envelope.ciphertext.contains(subsequence: Array(secret.utf8)))
        #expect(!Array((envelope.keyID ?? "").utf8).contains(subsequence: Array("launch".utf8)))
        // Attributed to another session, or moved to another channel: unreadable.
        let mallory = SessionPath(user: "alice", machine: "laptop", session: "other")
        #expect(bob.keyring.decrypt(envelope, from: mallory) == nil)
        // Even with the key: a server that replays the key's copy and the post into another
        // channel gets nothing, the channel is bound into every ciphertext.
        let (key, distribution) = try alice.keyring.senderKey(for: [bob.member])
        #expect(distribution == nil)
        var elsewhere = ChannelKeyring(channel: "general", machine: bob.name)
        #expect(elsewhere.accept(try AgreementKey.seal(key.sealable, to: bob.agreement.publicKey), from: alice.name, with: bob.agreement))
        #expect(elsewhere.decrypt(envelope, from: alice.path) == nil)
        var altered = envelope
        altered.ciphertext[altered.ciphertext.count - 1] ^= 1
        #expect(bob.keyring.decrypt(altered, from: alice.path) == nil)
    }

    @Test func theSameMembersKeepTheSameKey() throws {
        let alice = try Machine("alice/laptop")
        let bob = try Machine("bob/ws")
        let (first, distribution) = try alice.keyring.senderKey(for: [bob.member])
        #expect(distribution?.copies.keys.sorted() == ["bob/ws"])
        let (second, none) = try alice.keyring.senderKey(for: [bob.member])
        #expect(second.id == first.id)
        #expect(none == nil)
    }
}

extension ChannelKeyringTests {
    @Test func keysSurviveARestartInAPrivateFile() throws {
        let directory = NSTemporaryDirectory() + "conclave-keyring-\(UUID().uuidString)"
        // Each machine keeps its own file.
        let bobFile = ChannelKeyringFile(path: directory + "/bob/channel-keys")
        let aliceFile = ChannelKeyringFile(path: directory + "/alice/channel-keys")
        let alice = try Machine("alice/laptop")
        let bob = try Machine("bob/ws")
        let envelope = try alice.post("kept across restarts", members: [bob], relayTo: [bob])
        try bobFile.save(bob.keyring)
        try aliceFile.save(alice.keyring)
        // Both machines restart: what they saved still opens the post, and Alice keeps her
        // sender key for the same members (no needless rotation).
        let bobAgain = try bobFile.load(channel: "secret", machine: "bob/ws")
        #expect(bobAgain.decrypt(envelope, from: alice.path) == "kept across restarts")
        #expect(throws: ChannelKeyringFile.Failure.self) { try bobFile.load(channel: "secret", machine: "alice/laptop") }
        var aliceAgain = try aliceFile.load(channel: "secret", machine: "alice/laptop")
        let (key, distribution) = try aliceAgain.senderKey(for: [bob.member])
        #expect(distribution == nil)
        #expect(key.id == (try alice.keyring.senderKey(for: [bob.member])).0.id)
        #expect(try bobFile.load(channel: "other", machine: "bob/ws").decrypt(envelope, from: alice.path) == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/bob/channel-keys")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aCorruptKeyringFileIsReportedAndLeftAlone() throws {
        let directory = NSTemporaryDirectory() + "conclave-keyring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/channel-keys"
        try "{\"secret\": 42}".write(toFile: path, atomically: true, encoding: .utf8)
        let file = ChannelKeyringFile(path: path)
        #expect(throws: ChannelKeyringFile.Failure.self) { try file.load(channel: "secret", machine: "bob/ws") }
        #expect(throws: ChannelKeyringFile.Failure.self) { try file.save(ChannelKeyring(channel: "secret", machine: "bob/ws")) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"secret\": 42}")
    }
}
