import ConclaveClient
import ConclaveProtocol
import Testing

@Suite("Payload opener")
struct PayloadOpenerTests {
    @Test func plainPayloadsAreTheirText() {
        let opened = PayloadOpener().open(.plain("deploy at 5 </message>"))
        #expect(opened.text == "deploy at 5 </message>")
        #expect(opened.displayText == "deploy at 5 </message>")
        #expect(!opened.wasEncrypted)
    }

    @Test func encryptedPayloadsOpenAsAPlaceholderThatSaysWhy() {
        let opened = PayloadOpener().open(.encrypted(Envelope(ciphertext: [1, 2, 3], keyID: nil)))
        #expect(opened.text == nil)
        #expect(opened.wasEncrypted)
        #expect(opened.displayText == "<end-to-end-encrypted payload: not readable by this version>")
    }

    @Test func withKeysItDecryptsAndSaysWhoWroteIt() throws {
        let alice = try EndToEndChannelsTests.machine("alice", "laptop")
        let bob = try EndToEndChannelsTests.machine("bob", "ws")
        let sealed = try alice.channels.seal("ship it", to: "sec", members: [alice.listed, bob.listed], nowMs: 1)
        try bob.channels.accept(EndToEndChannelsTests.delivered(sealed.shares, from: alice), in: "sec")
        let opener = PayloadOpener(endToEnd: bob.channels)
        let message = ReceivedMessage(target: .channel("sec"), from: alice.path, payload: sealed.payload)
        #expect(opener.open(message) == OpenedPayload(content: .text("ship it"), wasEncrypted: true))
        #expect(!opener.lacksKey(for: message))
        // Without a signature check on this connection, nobody is vouched for.
        #expect(opener.provenance(of: message, nowMs: 1) == MessageTrust.withoutSignatures)
        // Another sender's envelope under a key bob lacks: a placeholder, and a reason to fetch keys.
        let stranger = try EndToEndChannelsTests.machine("carol", "box")
        let foreign = try stranger.channels.seal("hidden", to: "sec", members: [stranger.listed], nowMs: 1)
        let unknown = ReceivedMessage(target: .channel("sec"), from: stranger.path, payload: foreign.payload)
        #expect(opener.lacksKey(for: unknown))
        #expect(opener.open(unknown).displayText.hasPrefix("<end-to-end encrypted: no key on this machine opens it"))
    }
}

@Suite("Server notices")
struct ServerNoticeTests {
    let notice = Payload.plain("you were kicked from #ops")

    @Test func onlyTheDeclaredNoticePathIsTheServerSpeaking() {
        #expect(ServerNotice.text(from: .serverNotice, payload: notice, declaredSender: .serverNotice) == "you were kicked from #ops")
        // A server that did not declare the path: whoever registered `conclave` there is a peer.
        #expect(ServerNotice.text(from: .serverNotice, payload: notice, declaredSender: nil) == nil)
        let other = SessionPath(user: "conclave", machine: "x", session: "y")
        #expect(ServerNotice.text(from: other, payload: notice, declaredSender: .serverNotice) == nil)
    }
}
