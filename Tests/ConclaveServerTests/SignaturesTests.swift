import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Testing

/// The `signatures` extension, against the real server over WebSockets: signed posts and
/// whispers are stored and relayed with their signatures byte for byte, only to sessions that
/// agreed; everyone else sees the v1 frames they always did.
@Suite("Signatures extension")
struct SignaturesTests {
    /// A record a session may relay only when `key` is the key it signed in with.
    static func signature(by key: SigningKey) -> MessageSignature {
        MessageSignature(
            timestampMs: 1_795_000_000_000, nonce: [UInt8](repeating: 7, count: 16), publicKey: key.publicKey.bytes,
            signature: [UInt8](repeating: 9, count: 64))
    }

    @Test func aSignedPostReachesSignersSignedAndEveryoneElseAsBefore() async throws {
        try await TestServer.with { server in
            let aliceKey = try newKey()
            let signature = Self.signature(by: aliceKey)
            try await server.peer(key: aliceKey, register: "alice", extensions: [.signatures]) { alice async throws in
                #expect(alice.connection.extensions == [.signatures])
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob", extensions: [.signatures, .receipts]) { bob async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    try await server.peer(key: try newKey(), register: "carol") { carol async throws in
                        _ = try await carol.request(.join(channel: "ops", token: nil))
                        try await server.peer(key: try newKey(), register: "dave", extensions: [.receipts]) { dave async throws in
                            _ = try await dave.request(.join(channel: "ops", token: nil))
                            let reply = try await alice.request(.signedPost(channel: "ops", payload: .plain("deploy"), signature: signature))
                            #expect(reply == .ack(detail: nil))
                            guard case let .signedChannelMessage(id, channel, from, payload, signature) = try await bob.next() else {
                                Issue.record("bob did not get a signed message")
                                return
                            }
                            #expect(id != 0 && channel == "ops" && from == alice.path && payload == .plain("deploy"))
                            #expect(signature == Self.signature(by: aliceKey))
                            // A reference client reads the plain text; a receipts-only client its tagged form.
                            #expect(try await carol.next() == .channelMessage(channel: "ops", from: alice.path, payload: .plain("deploy")))
                            #expect(try await dave.next() == .taggedChannelMessage(id: id, channel: "ops", from: alice.path, payload: .plain("deploy")))

                            // An unsigned post to a signatures session stays the frame it was.
                            _ = try await carol.request(.channelMessage(channel: "ops", from: carol.path, payload: .plain("plain")))
                            guard case .taggedChannelMessage(_, "ops", carol.path, .plain("plain")) = try await bob.next() else {
                                Issue.record("bob did not get carol's unsigned post tagged")
                                return
                            }
                            _ = try await alice.next()
                            _ = try await dave.next()

                            // History keeps the signature for those who read it, and v1 for the rest.
                            guard case let .signedHistory("ops", page) = try await bob.request(.readSince(channel: "ops", sinceMs: 0)) else {
                                Issue.record("no signed history")
                                return
                            }
                            #expect(page.map(\.signature) == [signature, nil])
                            #expect(page.map(\.message.payload) == [.plain("deploy"), .plain("plain")])
                            guard case let .history("ops", plain) = try await carol.request(.readSince(channel: "ops", sinceMs: 0)) else {
                                Issue.record("no v1 history")
                                return
                            }
                            #expect(plain.map(\.payload) == [.plain("deploy"), .plain("plain")])
                        }
                    }
                }
            }
        }
    }

    @Test func signedWhispersKeepTheirSignatureLiveAndWhenHeld() async throws {
        try await TestServer.with { server in
            let bobKey = try newKey()
            let aliceKey = try newKey()
            let erinKey = try newKey()
            try await server.peer(key: aliceKey, register: "alice", extensions: [.signatures, .receipts]) { alice async throws in
                let signature = Self.signature(by: aliceKey)
                try await server.peer(key: bobKey, register: "bob", extensions: [.signatures]) { bob async throws in
                    try await server.peer(key: try newKey(), register: "carol") { carol async throws in
                        _ = try await alice.request(.signedWhisper(target: bob.path, payload: .plain("psst"), signature: signature, holdSeconds: 0))
                        guard case let .signedWhisperMessage(whisperID, from, target, payload, signature) = try await bob.next() else {
                            Issue.record("bob did not get a signed whisper")
                            return
                        }
                        #expect(whisperID == 0, "bob does not speak receipts: no id")
                        #expect(from == alice.path && target == bob.path && payload == .plain("psst") && signature == Self.signature(by: aliceKey))
                        _ = try await alice.request(.signedWhisper(
                            target: carol.path, payload: .plain("hi"), signature: Self.signature(by: aliceKey), holdSeconds: 0))
                        #expect(try await carol.next() == .whisper(from: alice.path, target: carol.path, payload: .plain("hi")))
                    }
                }
            }
            // Held for a target that is not connected, then released with its signature.
            try await server.peer(key: erinKey, register: "erin", extensions: [.signatures, .receipts]) { erin async throws in
                let bobPath = SessionPath(user: "bob", machine: "m1", session: "s2")
                let reply = try await erin.request(.signedWhisper(
                    target: bobPath, payload: .plain("later"), signature: Self.signature(by: erinKey), holdSeconds: 60))
                guard case .posted = reply else {
                    Issue.record("not held: \(reply)")
                    return
                }
                try await server.peer(key: bobKey, session: "s2", extensions: [.signatures]) { bob async throws in
                    guard case let .signedWhisperMessage(_, _, _, payload, signature) = try await bob.next() else {
                        Issue.record("the held whisper lost its signature")
                        return
                    }
                    #expect(payload == .plain("later") && signature == Self.signature(by: erinKey))
                }
            }
        }
    }

    @Test func signedFramesNeedTheExtensionAndAWellFormedSignature() async throws {
        try await TestServer.with { server in
            let aliceKey = try newKey()
            try await server.peer(key: aliceKey, register: "alice") { alice async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                let refused = try await alice.request(.signedPost(channel: "ops", payload: .plain("x"), signature: Self.signature(by: aliceKey)))
                #expect(refused == .error(.malformedFrame("unexpected frame from client")))
                #expect(try await alice.request(.keyQuery(user: "alice")) == .error(.malformedFrame("unexpected frame from client")))
            }
            let bobKey = try newKey()
            try await server.peer(key: bobKey, register: "bob", extensions: [.signatures]) { bob async throws in
                _ = try await bob.request(.join(channel: "ops", token: nil))
                // A record naming another machine's key (alice's) is refused: it would seed a
                // recipient's pin for bob's machine with a key bob does not hold.
                let borrowed = try await bob.request(.signedPost(channel: "ops", payload: .plain("x"), signature: Self.signature(by: aliceKey)))
                #expect(borrowed == .error(.unauthorized("a signed message must name the key this session signed in with")))
                let short = MessageSignature(timestampMs: 1, nonce: [1, 2, 3], publicKey: bobKey.publicKey.bytes, signature: [UInt8](repeating: 0, count: 64))
                guard case .error(.malformedFrame) = try await bob.request(.signedPost(channel: "ops", payload: .plain("x"), signature: short)) else {
                    Issue.record("a short nonce was accepted")
                    return
                }
                #expect(try await bob.request(.readSince(channel: "ops", sinceMs: 0)) == .signedHistory(channel: "ops", messages: []),
                        "nothing refused was stored")
            }
        }
    }

    @Test func anyUsersMachineKeysCanBeLookedUp() async throws {
        try await TestServer.with { server in
            let aliceKey = try newKey()
            try await server.peer(key: aliceKey, register: "alice") { _ async throws in }
            try await server.peer(key: try newKey(), register: "bob", extensions: [.signatures]) { bob async throws in
                guard case let .keyList("alice", machines) = try await bob.request(.keyQuery(user: "alice")) else {
                    Issue.record("no key list")
                    return
                }
                #expect(machines.map(\.name) == ["m1"])
                #expect(machines.map(\.pubkey) == [aliceKey.publicKey.text])
                #expect(try await bob.request(.keyQuery(user: "nobody")) == .keyList(user: "nobody", machines: []))
            }
        }
    }
}
