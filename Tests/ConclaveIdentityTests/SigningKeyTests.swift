import ConclaveIdentity
import Testing

@Suite("Ed25519 keys through libsodium")
struct SigningKeyTests {
    // RFC 8032 §7.1 test 1, as used by the reference's handshake example in vectors.json.
    static let seed = bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let publicKey = bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    static let nonce = bytes(hex: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    static let signature = bytes(hex: "00c1db988bb12fd7351a6054ae3fac90fab7e4fc56b1651c7181f5f55f896f663933d3a90605d9058e9d0ac45950ee2d3c9c9b14857415587179fe0ccac35f09")

    @Test func matchesTheReferenceHandshakeExample() throws {
        let key = try SigningKey(seed: Self.seed)
        #expect(key.publicKey.bytes == Self.publicKey)
        #expect(key.publicKey.text == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        #expect(key.sign(Self.nonce) == Self.signature)
        #expect(key.publicKey.verify(signature: Self.signature, for: Self.nonce))
    }

    @Test func signaturesVerifyOnlyWithTheSignersKey() throws {
        let alice = try SigningKey.generate()
        let bob = try SigningKey.generate()
        #expect(alice.publicKey != bob.publicKey)
        let message = Array("challenge".utf8)
        let signature = alice.sign(message)
        #expect(alice.publicKey.verify(signature: signature, for: message))
        #expect(!bob.publicKey.verify(signature: signature, for: message))
        var flippedMessage = message
        flippedMessage[0] ^= 1
        #expect(!alice.publicKey.verify(signature: signature, for: flippedMessage))
        var flippedSignature = signature
        flippedSignature[10] ^= 0x80
        #expect(!alice.publicKey.verify(signature: flippedSignature, for: message))
        #expect(!alice.publicKey.verify(signature: Array(signature.prefix(63)), for: message))
    }

    @Test func malformedPublicKeysAreRejected() {
        #expect(throws: IdentityError.self) { try PublicKey(bytes: [UInt8](repeating: 1, count: 8)) }
        #expect(throws: IdentityError.self) { try PublicKey(text: "AAAA") }
        #expect(throws: IdentityError.self) { try PublicKey(text: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=") }
        #expect(throws: IdentityError.self) { try PublicKey(text: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo") }
        #expect(throws: (any Error).self) { try SigningKey(seed: [1, 2, 3]) }
    }

    @Test func publicKeyTextIsTrimmed() throws {
        let key = try PublicKey(text: "  11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\n")
        #expect(key.bytes == Self.publicKey)
    }

    @Test func descriptionNeverShowsTheSeed() throws {
        let key = try SigningKey(seed: Self.seed)
        let text = "\(key)"
        #expect(text.contains("redacted"))
        #expect(text.contains(key.publicKey.text))
        #expect(!text.contains(key.seedText))
    }

    @Test func base64URLIsStrict() {
        #expect(Base64URL.encode(Self.publicKey).count == 43)
        #expect(Base64URL.decode(Base64URL.encode(Self.publicKey)) == Self.publicKey)
        #expect(Base64URL.decode("AQ") == [1])
        #expect(Base64URL.decode("AQ==") == nil) // padding
        #expect(Base64URL.decode("AR") == nil)   // non-zero trailing bits
        #expect(Base64URL.decode("A Q") == nil)  // inner whitespace
        #expect(Base64URL.decode("+/8") == nil)  // standard alphabet
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }
}
