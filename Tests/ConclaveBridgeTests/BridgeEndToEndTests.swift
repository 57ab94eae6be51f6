@testable import ConclaveBridge
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// The bridge core's side of encrypted channels, frame by frame: what it asks the server and in
/// which order.
@Suite("Bridge end-to-end requests")
struct BridgeEndToEndTests {
    static func channels() throws -> EndToEndChannels {
        let directory = NSTemporaryDirectory() + "conclave-bridge-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return EndToEndChannels(
            serverID: "srv", path: CoreHarness.ownPath, signingKey: try SigningKey.generate(), agreementKey: try AgreementKey.generate(),
            knownKeys: KnownKeys(path: directory + "/known_keys"), keyrings: ChannelKeyringFile(path: directory + "/keys.json"))
    }

    @Test func itAnnouncesItsKeyLearnsEncryptedChannelsAgainOnJoinAndSealsPostsThere() async throws {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up(extensions: [.e2e], endToEnd: try Self.channels())
        guard case .publishAgreement? = harness.link.take().first else {
            Issue.record("the key was not announced first")
            return
        }
        await harness.reply(.ack(detail: nil))
        #expect(harness.link.take() == [.listEncrypted])
        await harness.reply(.encryptedChannels(channels: []))

        // The channel was encrypted after the link came up: the join learns it.
        await harness.call(1, "join_channel", ["channel": "vault"])
        #expect(harness.link.take() == [.join(channel: "vault", token: nil)])
        await harness.reply(.joined(channel: "vault"))
        #expect(harness.link.take() == [.listEncrypted])
        await harness.reply(.encryptedChannels(channels: ["vault"]))
        await harness.reply(.channelList(channels: []))
        _ = harness.link.take()
        _ = harness.output.take()

        await harness.call(2, "send_channel", ["channel": "vault", "text": "sealed"])
        #expect(harness.link.take() == [.memberKeysQuery(channel: "vault")])
        // Only this machine is a member: nothing to share, and the post is an envelope.
        await harness.reply(.memberKeys(channel: "vault", encrypted: true, members: []))
        guard case let .channelMessage("vault", _, payload)? = harness.link.take().first else {
            Issue.record("no post after the member list")
            return
        }
        #expect(payload.isEncrypted)
        await harness.reply(.ack(detail: nil))
        #expect(Captured.result(2, in: harness.output.take())?.text == "sent to vault")
    }

    @Test func aPostUnderAnUnknownKeyWaitsForTheKeysWithWhatFollowsAndIsNeverLost() async throws {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .notify))
        await harness.initialize()
        await harness.up(extensions: [.e2e], endToEnd: try Self.channels())
        await harness.reply(.ack(detail: nil))
        await harness.reply(.encryptedChannels(channels: ["vault"]))
        _ = harness.link.take()
        let david = SessionPath(user: "david", machine: "desktop", session: "main")
        let envelope = Payload.encrypted(Envelope(ciphertext: [UInt8](repeating: 1, count: 48), keyID: "AAAAAAAAAAAAAAAAAAAAAA"))
        await harness.reply(.channelMessage(channel: "vault", from: david, payload: envelope))
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("after it")))
        #expect(harness.link.take() == [.channelKeysQuery(channel: "vault")])
        #expect(Captured.notifications("notifications/claude/channel", in: harness.output.take()).isEmpty, "shown before its keys")
        // The link drops before the keys come: both are shown, in order, the first as unreadable.
        await harness.core.linkDown(CoreHarness.server, reason: "test")
        let shown = Captured.notifications("notifications/claude/channel", in: harness.output.take())
            .filter { $0["params"]?["meta"]?["kind"]?.stringValue == "channel" }.compactMap { $0["params"]?["content"]?.stringValue }
        #expect(shown.count == 2)
        #expect(shown.first?.contains("no key on this machine opens it") == true)
        #expect(shown.last == "after it")
    }
}
