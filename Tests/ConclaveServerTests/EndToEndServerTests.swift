import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import Testing

/// The `e2e` extension against the real server: it files announcements and sealed keys for the
/// members of an encrypted private channel and relays only envelopes there, and it holds nobody
/// to anything it cannot check.
@Suite("End-to-end extension (server side)")
struct EndToEndServerTests {
    static let envelope = Payload.encrypted(Envelope(ciphertext: [1, 2, 3], keyID: "k"))

    /// A share from `key`'s machine to `recipient`, well formed (the server cannot open it).
    static func share(to recipient: String, by key: SigningKey, id: UInt8 = 1) -> SealedChannelKey {
        SealedChannelKey(
            recipient: recipient, keyID: [UInt8](repeating: id, count: 16), sealed: [UInt8](repeating: 9, count: 96),
            createdMs: 1, publicKey: key.publicKey.bytes, signature: [UInt8](repeating: 0, count: 64))
    }

    @Test func anEncryptedChannelTakesOnlyEnvelopesAndKeysFromItsMembers() async throws {
        try await TestServer.with { server in
            let aliceKey = try newKey()
            let bobKey = try newKey()
            try await server.peer(key: aliceKey, register: "alice", extensions: [.e2e]) { alice async throws in
                try await server.peer(key: bobKey, register: "bob", extensions: [.e2e]) { bob async throws in
                    try await server.peer(key: try newKey(), register: "eve", extensions: [.e2e]) { eve async throws in
                        let serverID = try #require(alice.connection.serverID)
                        // Announcements count only when signed by the session's machine for this server.
                        let agreement = try AgreementKey.generate()
                        let good = AgreementAnnouncement.make(
                            for: agreement, signedBy: aliceKey, serverID: serverID, user: "alice", machine: "m1", nowMs: 1)
                        #expect(try await alice.request(.publishAgreement(announcement: good)) == .ack(detail: nil))
                        let elsewhere = AgreementAnnouncement.make(
                            for: agreement, signedBy: aliceKey, serverID: "another", user: "alice", machine: "m1", nowMs: 1)
                        guard case .error(.unauthorized) = try await alice.request(.publishAgreement(announcement: elsewhere)) else {
                            Issue.record("an announcement for another server was filed")
                            return
                        }

                        _ = try await alice.request(.admin(.createChannel(name: "open", visibility: .public)))
                        guard case .error(.unauthorized) = try await alice.request(.markEncrypted(channel: "open")) else {
                            Issue.record("a public channel was encrypted")
                            return
                        }
                        _ = try await alice.request(.admin(.createChannel(name: "sec", visibility: .private)))
                        _ = try await alice.request(.admin(.aclAdd(channel: "sec", user: "bob")))
                        guard case .error = try await bob.request(.markEncrypted(channel: "sec")) else {
                            Issue.record("a member who is not its admin encrypted the channel")
                            return
                        }
                        #expect(try await alice.request(.markEncrypted(channel: "sec")) == .ack(detail: "sec"))
                        #expect(try await alice.request(.listEncrypted) == .encryptedChannels(channels: ["sec"]))
                        #expect(try await eve.request(.listEncrypted) == .encryptedChannels(channels: []))

                        // Members and their keys, for members only.
                        guard case let .memberKeys("sec", true, members) = try await bob.request(.memberKeysQuery(channel: "sec")) else {
                            Issue.record("no member keys")
                            return
                        }
                        #expect(members.map { "\($0.user)/\($0.machine)" } == ["alice/m1", "bob/m1"])
                        #expect(members.first?.agreement == good && members.first?.signingKey == aliceKey.publicKey.bytes)
                        #expect(members.last?.agreement == nil)
                        #expect(try await eve.request(.memberKeysQuery(channel: "sec")) == .error(Refusal.channelNotFound("sec")))

                        // Shares: to member machines, under the session's own key.
                        #expect(try await alice.request(.shareChannelKey(channel: "sec", keys: [Self.share(to: "bob/m1", by: aliceKey)])) == .ack(detail: "sec"))
                        guard case .error(.unauthorized) = try await alice.request(.shareChannelKey(channel: "sec", keys: [Self.share(to: "eve/m1", by: aliceKey)])) else {
                            Issue.record("a share to a non-member was filed")
                            return
                        }
                        guard case .error(.unauthorized) = try await alice.request(.shareChannelKey(channel: "sec", keys: [Self.share(to: "bob/m1", by: bobKey)])) else {
                            Issue.record("a share under another machine's key was filed")
                            return
                        }
                        #expect(try await bob.request(.channelKeysQuery(channel: "sec"))
                            == .channelKeys(channel: "sec", keys: [SharedChannelKey(sender: "alice/m1", key: Self.share(to: "bob/m1", by: aliceKey))]))
                        #expect(try await alice.request(.channelKeysQuery(channel: "sec")) == .channelKeys(channel: "sec", keys: []))

                        // Only envelopes are posted there; they reach members as sent.
                        _ = try await alice.request(.join(channel: "sec", token: nil))
                        _ = try await bob.request(.join(channel: "sec", token: nil))
                        guard case .error(.unauthorized) = try await alice.request(.channelMessage(channel: "sec", from: alice.path, payload: .plain("secret"))) else {
                            Issue.record("a plain post reached an encrypted channel")
                            return
                        }
                        #expect(try await alice.request(.channelMessage(channel: "sec", from: alice.path, payload: Self.envelope)) == .ack(detail: nil))
                        #expect(try await bob.next() == .channelMessage(channel: "sec", from: alice.path, payload: Self.envelope))

                        // It stays private and keeps its name.
                        guard case .error = try await alice.request(.admin(.renameChannel(name: "sec", newName: "sec2"))) else {
                            Issue.record("an encrypted channel was renamed")
                            return
                        }
                        guard case .error = try await alice.request(.admin(.setVisibility(name: "sec", visibility: .public))) else {
                            Issue.record("an encrypted channel was made public")
                            return
                        }
                    }
                }
            }
            // Without the extension, the frames are refused like any other a client may not send.
            try await server.peer(key: try newKey(), register: "ref") { ref async throws in
                #expect(try await ref.request(.listEncrypted) == .error(.malformedFrame("unexpected frame from client")))
            }
        }
    }
}
