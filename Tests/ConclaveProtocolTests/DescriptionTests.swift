import ConclaveProtocol
import Testing

/// Descriptions go to logs; they must never carry bodies, tokens or key material.
@Suite("Descriptions redact secrets")
struct DescriptionTests {
    static let secret = "s3cr3t-body-TOKEN"
    static let keyBytes: [UInt8] = Array(repeating: 0xAB, count: 32)
    static let path = SessionPath(user: "aaron", machine: "ws", session: "razel")

    static let frames: [ProtocolMessage] = [
        .channelMessage(channel: "ops", from: path, payload: .plain(secret)),
        .whisper(from: path, target: path, payload: .plain(secret)),
        .join(channel: "ops", token: secret),
        .inviteToken(token: secret),
        .admin(.inviteRevoke(token: secret)),
        .inviteList(invites: [InviteInfo(token: secret, usesRemaining: 1, expiresAt: nil)]),
        .history(channel: "ops", messages: [HistoryMessage(from: path, tsMs: 1, payload: .plain(secret))]),
        .auth(pubkey: keyBytes, signature: keyBytes + keyBytes),
        .register(username: "aaron", machine: "ws", pubkey: keyBytes),
        .admin(.machineAdd(name: "laptop", pubkey: keyBytes)),
        .challenge(nonce: keyBytes),
        .channelMessage(channel: "ops", from: path, payload: .encrypted(Envelope(ciphertext: Array(secret.utf8), keyID: "k1"))),
    ]

    @Test(arguments: frames)
    func noSecretInDescription(_ frame: ProtocolMessage) {
        let text = frame.description
        #expect(!text.contains(Self.secret))
        #expect(!text.lowercased().contains("abab"))
        #expect(!text.contains("171, 171"))
        #expect(text.hasPrefix(frame.name))
    }

    @Test func descriptionsStayReadable() {
        #expect(ProtocolMessage.hello(protocolVersion: 1, session: "razel").description
            == #"Hello(protocol_version: 1, session: "razel")"#)
        #expect(ProtocolMessage.channelMessage(channel: "ops", from: Self.path, payload: .plain("hello")).description
            == #"ChannelMsg(channel: "ops", from: aaron/ws/razel, payload: Plain(<5 bytes>))"#)
        #expect(ProtocolMessage.ping.description == "Ping")
        #expect(InviteInfo(token: Self.secret, usesRemaining: nil, expiresAt: nil).description
            == "InviteInfo(token: <redacted>, uses_remaining: unlimited, expires_at: never)")
    }
}
