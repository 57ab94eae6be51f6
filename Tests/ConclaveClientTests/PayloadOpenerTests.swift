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
