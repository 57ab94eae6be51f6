import ConclaveBridge
import Testing

@Suite("same-server claims")
struct ServerIdentityClaimsTests {
    @Test func theKeyListedFirstWinsWhateverTheOrderOfConnection() async {
        let claims = ServerIdentityClaims()
        #expect(await claims.claim("id-1", for: "wss://b/", rank: 1) == .granted)
        #expect(await claims.claim("id-1", for: "wss://b/", rank: 1) == .granted, "a reconnect keeps its claim")
        #expect(await claims.claim("id-1", for: "wss://a/", rank: 0) == .tookOver(from: "wss://b/"))
        #expect(await claims.claim("id-1", for: "wss://b/", rank: 1) == .duplicate(of: "wss://a/"))
        #expect(await claims.claim("id-2", for: "wss://b/", rank: 1) == .granted)
    }
}
