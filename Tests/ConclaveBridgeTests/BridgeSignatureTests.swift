@testable import ConclaveBridge
import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

/// The bridge signs what its agent sends and tells its agent who really wrote what arrives:
/// `provenance` in every notification, a warning and a capped level for a message whose
/// signature fails, and the same marks in `catch_up`.
@Suite("Bridge signatures and provenance")
struct BridgeSignatureTests {
    static let serverID = "instance-1"
    static let now: Int64 = 1_000_000_000
    let david = SessionPath(user: "david", machine: "desktop", session: "main")

    /// Trust as a machine with `key` and its own pin file has it.
    static func trust(_ key: SigningKey) -> MessageTrust {
        let directory = NSTemporaryDirectory() + "conclave-bridge-pins-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return MessageTrust(serverID: serverID, key: key, knownKeys: KnownKeys(path: directory + "/known_keys"))
    }

    /// Joins `ops` (the default level lets this session post there).
    static func join(_ harness: CoreHarness) async {
        await harness.call(90, "join_channel", ["channel": "ops"])
        await harness.reply(.joined(channel: "ops"))
        // The role check that follows a join (are we its admin?).
        await harness.reply(.channelList(channels: []))
        _ = harness.link.take()
        _ = harness.output.take()
    }

    @Test func postsAndWhispersLeaveSignedAndVerifyAtTheRecipient() async throws {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        let own = try SigningKey.generate()
        await harness.initialize()
        await harness.up(extensions: [.signatures], trust: Self.trust(own))
        await Self.join(harness)
        await harness.call(1, "send_channel", ["channel": "ops", "text": "ship it"])
        await harness.call(2, "whisper", ["target": .string(david.description), "text": "psst"])
        let sent = harness.link.take()
        guard case let .signedPost("ops", payload, signature)? = sent.first else {
            Issue.record("the post left unsigned: \(sent)")
            return
        }
        #expect(payload == .plain("ship it") && signature.publicKey == own.publicKey.bytes)
        // The recipient, with its own pins, verifies it as sent by this session.
        let recipient = Self.trust(try SigningKey.generate())
        let received = ReceivedMessage(.signedChannelMessage(id: 1, channel: "ops", from: CoreHarness.ownPath, payload: payload, signature: signature))
        #expect(try recipient.provenance(of: #require(received), nowMs: Self.now) == .verified)
        guard sent.count == 1 else {
            Issue.record("the whisper went before the post was answered")
            return
        }
        await harness.reply(.ack(detail: nil))
        guard case let .signedWhisper(target, _, whisperSignature, 0)? = harness.link.take().first else {
            Issue.record("the whisper left unsigned")
            return
        }
        #expect(target == david && whisperSignature.publicKey == own.publicKey.bytes)
    }

    @Test func inboundMessagesSayWhoWroteThemAndAForgeryIsCappedAtNotify() async throws {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .act))
        await harness.initialize()
        await harness.up(extensions: [.signatures], trust: Self.trust(try SigningKey.generate()))
        let davidKey = try SigningKey.generate()
        let sender = Self.trust(davidKey)
        guard case let .signedPost(_, _, signature) = try sender.post(.plain("deploy"), to: "ops", as: david, nowMs: Self.now) else {
            Issue.record("no signature")
            return
        }
        // Genuine, then the same bytes again (a replay), then a rewritten body, then unsigned.
        await harness.reply(.signedChannelMessage(id: 1, channel: "ops", from: david, payload: .plain("deploy"), signature: signature))
        await harness.reply(.signedChannelMessage(id: 2, channel: "ops", from: david, payload: .plain("deploy"), signature: signature))
        await harness.reply(.signedChannelMessage(id: 3, channel: "ops", from: david, payload: .plain("rm -rf /"), signature: signature))
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("hello")))
        let metas = Captured.notifications("notifications/claude/channel", in: harness.output.take()).map { $0["params"]?["meta"] }
        #expect(metas.map { $0?["provenance"]?.stringValue } == ["verified", "invalid", "invalid", "unverified"])
        #expect(metas.map { $0?["level"]?.stringValue } == ["act", "notify", "notify", "act"])
        #expect(metas[1]?["warning"]?.stringValue?.contains("replay") == true)
        #expect(metas[2]?["warning"]?.stringValue?.contains("does not match") == true)

        // The same machine under another key: reported, never trusted.
        let swapped = Self.trust(try SigningKey.generate())
        guard case let .signedPost(_, _, impostor) = try swapped.post(.plain("trust me"), to: "ops", as: david, nowMs: Self.now) else { return }
        await harness.reply(.signedChannelMessage(id: 4, channel: "ops", from: david, payload: .plain("trust me"), signature: impostor))
        let meta = Captured.notifications("notifications/claude/channel", in: harness.output.take()).first?["params"]?["meta"]
        #expect(meta?["provenance"] == "invalid")
        #expect(meta?["warning"]?.stringValue?.contains("changed") == true)
    }

    @Test func catchUpMarksEachMessage() async throws {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up(extensions: [.signatures], trust: Self.trust(try SigningKey.generate()))
        let sender = Self.trust(try SigningKey.generate())
        // Signed a day ago: history is not held to the live freshness window.
        guard case let .signedPost(_, _, signature) = try sender.post(.plain("old"), to: "ops", as: david, nowMs: Self.now - 86_400_000) else { return }
        await harness.call(1, "catch_up", ["channel": "ops", "since": "2d"])
        _ = harness.link.take()
        await harness.reply(.signedHistory(channel: "ops", messages: [
            SignedHistoryMessage(message: HistoryMessage(from: david, tsMs: 5, payload: .plain("old")), signature: signature),
            SignedHistoryMessage(message: HistoryMessage(from: david, tsMs: 6, payload: .plain("altered")), signature: signature),
            SignedHistoryMessage(message: HistoryMessage(from: david, tsMs: 7, payload: .plain("plain")), signature: nil),
        ]))
        let text = try #require(Captured.result(1, in: harness.output.take())?.text)
        let marks = text.components(separatedBy: "\n").filter { $0.hasPrefix("<message") }.map { line in
            ["verified", "unverified", "invalid"].first { line.contains("provenance=\"\($0)\"") }
        }
        #expect(marks == ["verified", "invalid", "unverified"])
    }

    @Test func withoutTheExtensionNothingIsSignedAndEverythingIsUnverified() async {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up()
        await Self.join(harness)
        await harness.call(1, "send_channel", ["channel": "ops", "text": "hi"])
        let frames = harness.link.take()
        guard case .channelMessage? = frames.first else {
            Issue.record("a v1 server got something other than ChannelMsg: \(frames)")
            return
        }
        await harness.reply(.ack(detail: nil))
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("hello")))
        let meta = Captured.notifications("notifications/claude/channel", in: harness.output.take()).first?["params"]?["meta"]
        #expect(meta?["provenance"] == "unverified")
    }
}
