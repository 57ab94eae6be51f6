import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import Foundation
import Testing

/// Encrypting for a channel's member machines and opening what others posted, with the server's
/// word checked at every step: announcements against pinned machine keys, shares against their
/// sender's key, and a new sender key whenever the members change.
@Suite("End-to-end channels on one machine")
struct EndToEndChannelsTests {
    static let serverID = "srv-1"

    /// A machine on this suite's server.
    static func machine(_ user: String, _ name: String) throws -> TestMachine {
        try TestMachine(user, name, serverID: serverID)
    }

    /// What the server hands `recipient` from a `ShareChannelKey`.
    static func delivered(_ shares: ProtocolMessage?, from sender: TestMachine) -> [SharedChannelKey] {
        guard case let .shareChannelKey(_, keys)? = shares else { return [] }
        return keys.map { SharedChannelKey(sender: sender.user + "/" + sender.name, key: $0) }
    }

    @Test func membersReadWhatIsSentWhileTheyAreMembersAndNothingElse() throws {
        let alice = try Self.machine("alice", "laptop")
        let bob = try Self.machine("bob", "ws")
        let carol = try Self.machine("carol", "box")
        var unannounced = carol.listed
        unannounced.agreement = nil

        let first = try alice.channels.seal("deploy at five", to: "sec", members: [alice.listed, bob.listed, unannounced], nowMs: 10)
        #expect(first.unreadableBy.count == 1 && first.unreadableBy[0].hasPrefix("carol/box: no encryption key published"))
        guard case let .encrypted(envelope) = first.payload else { Issue.record("not encrypted"); return }
        #expect(!String(decoding: envelope.ciphertext, as: UTF8.self).contains("deploy"))
        #expect(try bob.channels.accept(Self.delivered(first.shares, from: alice), in: "sec").isEmpty)
        #expect(bob.channels.open(first.payload, in: "sec", from: alice.path) == "deploy at five")
        #expect(carol.channels.open(first.payload, in: "sec", from: alice.path) == nil)
        // The same members: the same key, nothing new to share.
        let again = try alice.channels.seal("and again", to: "sec", members: [alice.listed, bob.listed, unannounced], nowMs: 11)
        #expect(again.shares == nil)
        #expect(bob.channels.open(again.payload, in: "sec", from: alice.path) == "and again")
        // Moved to another channel or sender, it does not open.
        #expect(bob.channels.open(again.payload, in: "other", from: alice.path) == nil)
        #expect(bob.channels.open(again.payload, in: "sec", from: carol.path) == nil)

        // bob is removed and carol joins: a new key, which bob never gets and carol gets alone.
        let after = try alice.channels.seal("bob is gone", to: "sec", members: [alice.listed, carol.listed], nowMs: 12)
        let shares = Self.delivered(after.shares, from: alice)
        #expect(shares.map(\.key.recipient) == ["carol/box"])
        #expect(try carol.channels.accept(shares, in: "sec").isEmpty)
        #expect(carol.channels.open(after.payload, in: "sec", from: alice.path) == "bob is gone")
        #expect(bob.channels.open(after.payload, in: "sec", from: alice.path) == nil, "a removed member read a post made after it left")
        #expect(carol.channels.open(first.payload, in: "sec", from: alice.path) == nil, "a new member read a post made before it joined")
    }

    @Test func aServerCannotSubstituteKeysOrHandOutItsOwn() throws {
        let alice = try Self.machine("alice", "laptop")
        let bob = try Self.machine("bob", "ws")
        let server = try Self.machine("mallory", "server")
        // Pin bob's machine key on alice's machine (as a first signed message from bob would).
        _ = try alice.channels.seal("hello", to: "sec", members: [alice.listed, bob.listed], nowMs: 1)

        // The server swaps bob's X25519 key for its own, signed with its own key.
        var swappedAgreement = bob.listed
        swappedAgreement.agreement = AgreementAnnouncement.make(
            for: server.agreement, signedBy: server.signing, serverID: Self.serverID, user: "bob", machine: "ws", nowMs: 2)
        let sealed = try alice.channels.seal("secret", to: "sec", members: [alice.listed, swappedAgreement], nowMs: 3)
        #expect(sealed.unreadableBy.first?.contains("not signed by its machine key") == true)
        #expect(Self.delivered(sealed.shares, from: alice).allSatisfy { $0.key.recipient != "bob/ws" })
        // The server swaps bob's machine key too: the pin catches it.
        var swappedMachine = swappedAgreement
        swappedMachine.signingKey = server.signing.publicKey.bytes
        let again = try alice.channels.seal("secret", to: "sec", members: [alice.listed, swappedMachine], nowMs: 4)
        #expect(again.unreadableBy.first?.contains("machine key changed") == true)

        // A key share the server made itself, under alice's name: refused on bob's machine once
        // alice's genuine share pinned her key.
        let genuine = try alice.channels.seal("real", to: "sec2", members: [alice.listed, bob.listed], nowMs: 5)
        #expect(try bob.channels.accept(Self.delivered(genuine.shares, from: alice), in: "sec2").isEmpty)
        let ownKey = try ChannelKey.generate()
        var forged = SealedChannelKey(
            recipient: "bob/ws", keyID: ownKey.id, sealed: try AgreementKey.seal(ownKey.sealable, to: bob.agreement.publicKey), createdMs: 6,
            publicKey: server.signing.publicKey.bytes, signature: [])
        forged.signature = server.signing.sign(forged.signedBytes(serverID: Self.serverID, channel: "sec2", sender: "alice/laptop"))
        let refused = try bob.channels.accept([SharedChannelKey(sender: "alice/laptop", key: forged)], in: "sec2")
        #expect(refused.count == 1 && refused[0].contains("another key than the one pinned"))
        // An altered share does not verify at all.
        var altered = Self.delivered(genuine.shares, from: alice)
        altered[0].key.sealed[0] ^= 1
        #expect(try bob.channels.accept(altered, in: "sec2").first?.contains("not signed by its sender") == true)
    }
}
