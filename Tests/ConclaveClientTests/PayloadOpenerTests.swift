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
