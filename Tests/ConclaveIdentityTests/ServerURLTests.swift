import ConclaveIdentity
import Testing

@Suite("Server URL normalisation")
struct ServerURLTests {
    @Test(arguments: [
        ("wss://h", "wss://h/"),
        ("wss://h/", "wss://h/"),
        ("WSS://H.Example:443", "wss://h.example/"),
        (" ws://127.0.0.1:4390 ", "ws://127.0.0.1:4390/"),
        ("ws://h:80/", "ws://h/"),
        ("wss://h:8443/conclave", "wss://h:8443/conclave"),
        ("ws://[::1]:4390", "ws://[::1]:4390/"),
        ("wss://h?x=1#frag", "wss://h/?x=1"),
    ])
    func normalises(_ input: String, _ expected: String) throws {
        #expect(try ServerURL(input).normalized == expected)
    }

    @Test func sameServerSpelledDifferentlyIsOneKey() throws {
        #expect(try ServerURL("wss://h") == ServerURL("wss://h/"))
        #expect(ServerURL.key(for: "wss://h") == ServerURL.key(for: "WSS://h:443/"))
        #expect(try ServerURL("ws://127.0.0.1:4390").port == 4390)
        #expect(try ServerURL("wss://h").port == 443)
    }

    @Test(arguments: ["h", "https://h", "ftp://h", "ws://", "ws://h:0", "ws://h:99999", "ws://h:x", "ws://user@h", "ws://[::1"])
    func rejects(_ input: String) {
        #expect(throws: IdentityError.self) { try ServerURL(input) }
    }

    @Test func httpsGetsAHint() {
        #expect(throws: IdentityError.invalidServerURL(url: "https://h", reason: "use wss://, this is a WebSocket server")) {
            try ServerURL("https://h")
        }
    }
}
