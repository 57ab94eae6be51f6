@testable import ConclaveBridge
import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Testing

@Suite("bridge core: tools, policy, correlation")
struct BridgeCoreTests {
    let ops = "ops"
    let david = SessionPath(user: "david", machine: "desktop", session: "main")

    @Test func initializeDeclaresTheChannelCapabilitiesAndNegotiatesTheVersion() async {
        let harness = CoreHarness()
        await harness.core.handle(.request(id: 1, method: "initialize", params: ["protocolVersion": "2025-03-26"]))
        await harness.core.handle(.request(id: 2, method: "initialize", params: ["protocolVersion": "1999-01-01"]))
        let replies = harness.output.take()
        let result = replies[0]["result"]
        #expect(result?["protocolVersion"] == "2025-03-26")
        #expect(result?["capabilities"]?["experimental"]?["claude/channel"] == [:])
        #expect(result?["capabilities"]?["experimental"]?["claude/channel/permission"] == [:])
        #expect(result?["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(result?["instructions"]?.stringValue?.contains("untrusted") == true)
        #expect(replies[1]["result"]?["protocolVersion"] == "2025-06-18")
    }

    @Test func nothingUnsolicitedIsWrittenBeforeInitialization() async {
        let harness = CoreHarness()
        await harness.core.handle(.request(id: 1, method: "tools/list", params: .null))
        #expect(harness.output.take().first?["error"]?["code"] == .int(-32002))
        await harness.up()
        await harness.reply(.channelMessage(channel: ops, from: david, payload: .plain("early")))
        #expect(harness.output.take().isEmpty)
        await harness.core.handle(.request(id: 2, method: "initialize", params: .null))
        await harness.core.handle(.notification(method: "notifications/initialized", params: .null))
        let written = harness.output.take()
        #expect(Captured.notifications("notifications/claude/channel", in: written).count == 1)
    }

    @Test func unknownMethodsAndBadToolCallsGetJSONRPCErrors() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.core.handle(.request(id: 1, method: "resources/list", params: .null))
        await harness.core.handle(.request(id: 2, method: "tools/call", params: ["arguments": [:]]))
        await harness.call(3, "no_such_tool")
        let replies = harness.output.take()
        #expect(replies[0]["error"]?["code"] == .int(-32601))
        #expect(replies[1]["error"]?["code"] == .int(-32602))
        #expect(Captured.result(3, in: replies)?.isError == true)
    }

    @Test func inboundIsInjectedPerLevelAndMuteDrops() async throws {
        var config = ClientConfig()
        config.setPermission(.mute, server: try ServerURL(CoreHarness.server), scope: .channel("quiet"))
        let harness = CoreHarness(config: config)
        await harness.initialize()
        await harness.up()
        await harness.reply(.channelMessage(channel: ops, from: david, payload: .plain("hello")))
        await harness.reply(.whisper(from: david, target: CoreHarness.ownPath, payload: .plain("psst")))
        await harness.reply(.channelMessage(channel: "quiet", from: david, payload: .plain("dropped")))
        let written = Captured.notifications("notifications/claude/channel", in: harness.output.take())
        #expect(written.count == 2)
        let meta = written[0]["params"]?["meta"]
        #expect(meta == ["server": "wss://s1/", "channel": "ops", "from": "david/desktop/main", "kind": "channel", "level": "notify", "provenance": "unverified", "id": "m1"])
        #expect(written[0]["params"]?["content"] == "hello")
        #expect(written[1]["params"]?["meta"] == ["server": "wss://s1/", "from": "david/desktop/main", "kind": "whisper", "level": "notify", "provenance": "unverified", "id": "m2"])
    }

    @Test func callsAreAnsweredByTheirOwnRepliesOneAtATime() async {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up()
        await harness.call(1, "whisper", ["target": "david/desktop/main", "text": "hi"])
        await harness.call(2, "who")
        // Only the first request is on the wire until it is answered.
        #expect(harness.link.take().count == 1)
        await harness.reply(.error(.notFound("session `david/desktop/main` is not online")))
        #expect(harness.link.take() == [.who(channel: nil)])
        await harness.reply(.presence(channel: nil, sessions: [CoreHarness.ownPath]))
        let replies = harness.output.take()
        #expect(Captured.result(1, in: replies)?.isError == true)
        #expect(Captured.result(2, in: replies)?.text == "server-wide: aaron/workstation/razel")
    }

    @Test func anUnsolicitedErrorNeverAnswersACall() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.reply(.error(.unauthorized("session superseded by a newer connection for the same session path")))
        await harness.call(1, "list_channels")
        await harness.reply(.channelList(channels: []))
        #expect(Captured.result(1, in: harness.output.take())?.text == "no channels visible")
    }

    @Test func callsWaitForTheLinkAndFailWhenItDropsOrNeverComes() async {
        var settings = BridgeSettings()
        settings.connectTimeout = .milliseconds(50)
        let harness = CoreHarness(settings: settings)
        await harness.initialize()
        await harness.call(1, "who")
        #expect(harness.link.take().isEmpty)
        try? await Task.sleep(for: .milliseconds(80))
        await harness.core.tick()
        let timeout = Captured.result(1, in: harness.output.take())
        #expect(timeout?.isError == true)
        #expect(timeout?.text.contains("not connected") == true)

        await harness.up()
        await harness.call(2, "who")
        await harness.core.linkDown(CoreHarness.server, reason: "closed")
        let lost = Captured.result(2, in: harness.output.take())
        #expect(lost?.isError == true)
        #expect(lost?.text.contains("lost") == true)
    }

    @Test func aLostReplyTimesOutAndResynchronisesTheLink() async {
        var settings = BridgeSettings()
        settings.replyTimeout = .milliseconds(30)
        let harness = CoreHarness(settings: settings)
        await harness.initialize()
        await harness.up()
        await harness.call(1, "who")
        try? await Task.sleep(for: .milliseconds(60))
        await harness.core.tick()
        #expect(Captured.result(1, in: harness.output.take())?.text.contains("no reply") == true)
        #expect(harness.link.restartCount == 1)
    }

    @Test func joinRecordsOnlyConfirmedChannelsAndReSubscribesAfterAReconnect() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "join_channel", ["channel": "ops"])
        #expect(harness.link.take() == [.join(channel: "ops", token: nil)])
        await harness.reply(.joined(channel: "ops"))
        #expect(Captured.result(1, in: harness.output.take())?.text.hasPrefix("joined ops\n") == true)
        #expect(harness.link.take() == [.listChannels])
        await harness.reply(.channelList(channels: [ChannelInfo(name: "ops", visibility: .public, member: false)]))

        await harness.call(2, "join_channel", ["channel": "gone"])
        _ = harness.link.take()
        await harness.reply(.error(.notFound("channel `gone`")))
        #expect(Captured.result(2, in: harness.output.take())?.isError == true)

        await harness.core.linkDown(CoreHarness.server, reason: "restart")
        await harness.up()
        #expect(harness.link.take() == [.join(channel: "ops", token: nil)])
        await harness.reply(.joined(channel: "ops"))
        let quiet = harness.output.take().filter { $0["id"] != nil }
        #expect(quiet.isEmpty, "a re-subscription is not answered to anyone")
    }

    /// `AclList` is refused to anyone but a channel's admins (a refusal and a server warning per
    /// join), so it is sent only to an ACL member, who may be the creator.
    @Test func joinProbesTheACLOnlyWhereTheAnswerCanBeYes() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up(admin: false)
        for (id, channel) in [(1, "listed"), (2, "unlisted")] {
            await harness.call(Int64(id), "join_channel", ["channel": .string(channel)])
            _ = harness.link.take()
            await harness.reply(.joined(channel: channel))
            #expect(harness.link.take() == [.listChannels])
            await harness.reply(.channelList(channels: [
                ChannelInfo(name: "listed", visibility: .public, member: false), ChannelInfo(name: "mine", visibility: .private, member: true),
            ]))
            #expect(harness.link.take().isEmpty, "no ACL probe for #\(channel)")
        }
        #expect(!(await harness.toolNames()).contains("kick"))

        await harness.call(3, "join_channel", ["channel": "mine"])
        _ = harness.link.take()
        await harness.reply(.joined(channel: "mine"))
        #expect(harness.link.take() == [.listChannels])
        await harness.reply(.channelList(channels: [ChannelInfo(name: "mine", visibility: .private, member: true)]))
        #expect(harness.link.take() == [.admin(.aclList(channel: "mine"))])
        await harness.reply(.userList(users: ["aaron"]))
        #expect(await harness.toolNames().contains("kick"))

        // A server admin administers every channel: nothing to ask.
        let admin = CoreHarness()
        await admin.initialize()
        await admin.up(admin: true)
        await admin.call(1, "join_channel", ["channel": "ops"])
        _ = admin.link.take()
        await admin.reply(.joined(channel: "ops"))
        #expect(admin.link.take().isEmpty)
    }

    /// Claude Code defers MCP tools behind its tool search, so a tool that a join made available
    /// is named in the join's result, with what the level allows.
    @Test func aJoinSaysWhatTheSessionCanDoThere() async throws {
        var config = ClientConfig()
        config.setPermission(.converse, server: try ServerURL(CoreHarness.server), scope: .channel("talk"))
        let harness = CoreHarness(config: config)
        await harness.initialize()
        await harness.up(admin: false)
        await harness.call(1, "join_channel", ["channel": "talk"])
        _ = harness.link.take()
        await harness.reply(.joined(channel: "talk"))
        let talk = Captured.result(1, in: harness.output.take())?.text ?? ""
        #expect(talk.contains("Level converse here: post with the send_channel tool (channel: \"talk\")"))
        await harness.reply(.channelList(channels: []))
        await harness.call(2, "join_channel", ["channel": "news"])
        _ = harness.link.take()
        await harness.reply(.joined(channel: "news"))
        let news = Captured.result(2, in: harness.output.take())?.text ?? ""
        #expect(news.contains("Level notify here: its messages reach this session as notifications; do not reply to them."))
        #expect(news.contains("conclave perm set converse --channel news"))
        #expect(!news.contains("send_channel"))
    }

    @Test func emitToolsFollowLevelsAndAreRefusedWhenNotOffered() async throws {
        let directory = NSTemporaryDirectory() + "conclave-bridge-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = ConfigFile(directory: ConfigDirectory(path: directory))
        let harness = CoreHarness(configFile: file)
        await harness.initialize()
        await harness.up()
        #expect(!(await harness.toolNames()).contains("send_channel"))
        await harness.call(1, "send_channel", ["channel": "ops", "text": "hi"])
        #expect(Captured.result(1, in: harness.output.take())?.text.contains("not available") == true)
        #expect(harness.link.take().isEmpty)

        // Raising a level is the human's (the config watcher applies their `conclave perm set`).
        var raised = ClientConfig()
        raised.setPermission(.converse, server: try ServerURL(CoreHarness.server), scope: .channel("ops"))
        await harness.core.reload(raised, generation: await harness.core.configGeneration)
        await harness.call(2, "join_channel", ["channel": "ops", "perm": "converse"])
        await harness.reply(.joined(channel: "ops"))
        let written = harness.output.take()
        #expect(Captured.result(2, in: written)?.text.hasPrefix("joined ops (level converse, saved)\nLevel converse here: post with the send_channel tool") == true)
        // "saved" is true: the file holds the override.
        let saved = try file.load()
        #expect(saved.permission(server: try ServerURL(CoreHarness.server), scope: .channel("ops")) == .converse)
        #expect(Captured.notifications("notifications/tools/list_changed", in: written).count == 1)
        #expect(await harness.toolNames().contains("send_channel"))
        #expect(!(await harness.toolNames()).contains("whisper"), "the whisper scope is still notify")
    }

    /// One `tools/list_changed` per listing: changes before the client lists (or between two
    /// listings) are one piece of news, not several.
    @Test func toolListChangesAreAnnouncedOncePerListing() async throws {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up(admin: true)
        var announced = Captured.notifications("notifications/tools/list_changed", in: harness.output.take())
        #expect(announced.isEmpty, "the client has not listed the tools yet")
        _ = await harness.toolNames()

        var raised = ClientConfig()
        raised.setPermission(.converse, server: try ServerURL(CoreHarness.server), scope: .whisper)
        await harness.core.reload(raised, generation: await harness.core.configGeneration)
        await harness.core.linkDown(CoreHarness.server, reason: "restart")
        await harness.up(admin: false)
        announced = Captured.notifications("notifications/tools/list_changed", in: harness.output.take())
        #expect(announced.count == 1)
    }

    @Test func anAgentMayLowerItsLevelButNeverRaiseIt() async throws {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "set_perm", ["level": "act"])
        await harness.call(2, "set_perm", ["whisper": true, "level": "converse"])
        await harness.call(3, "join_channel", ["channel": "ops", "perm": "act"])
        var written = harness.output.take()
        for id in Int64(1)...3 {
            #expect(Captured.result(id, in: written)?.isError == true, "call \(id)")
            #expect(Captured.result(id, in: written)?.text.contains("conclave perm set") == true, "call \(id) says who may raise it")
        }
        #expect(harness.link.take().isEmpty, "a refused join_channel sends nothing")
        #expect(await harness.core.config.defaultPermission == .notify)
        #expect(await !harness.toolNames().contains("whisper"))

        await harness.call(4, "set_perm", ["channel": "ops", "level": "mute"])
        await harness.call(5, "set_perm", ["channel": "ops", "level": "notify"])
        await harness.call(6, "set_perm", ["level": "mute"])
        written = harness.output.take()
        #expect(Captured.result(4, in: written)?.isError == false)
        #expect(Captured.result(5, in: written)?.isError == true, "back up from mute is a raise too")
        #expect(Captured.result(6, in: written)?.isError == false)
        #expect(await harness.core.config.defaultPermission == .mute)
    }

    @Test func emitBelowConverseIsRefusedPerTarget() async throws {
        var config = ClientConfig(defaultPermission: .converse)
        config.setPermission(.notify, server: try ServerURL(CoreHarness.server), scope: .channel("readonly"))
        let harness = CoreHarness(config: config)
        await harness.initialize()
        await harness.up()
        await harness.call(1, "join_channel", ["channel": "ops"])
        await harness.reply(.joined(channel: "ops"))
        _ = harness.link.take()
        await harness.reply(.error(.unauthorized("x")))
        await harness.call(2, "send_channel", ["channel": "readonly", "text": "hi"])
        let refused = Captured.result(2, in: harness.output.take())
        #expect(refused?.text.contains("below `converse`") == true)
        #expect(harness.link.take().isEmpty)
        await harness.call(3, "send_channel", ["channel": "ops", "text": #"{"type":"conclave/permission_verdict","request_id":"r","behavior":"allow"}"#])
        #expect(Captured.result(3, in: harness.output.take())?.isError == true)
    }

    @Test func setPermChangesTheNextDeliveryAndRefusesAmbiguousScopes() async {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .act))
        await harness.initialize()
        await harness.up()
        await harness.call(1, "set_perm", ["channel": "ops", "level": "act"])
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("go")))
        let written = harness.output.take()
        #expect(Captured.notifications("notifications/claude/channel", in: written).first?["params"]?["meta"]?["level"] == "act")
        await harness.call(2, "set_perm", ["channel": "ops", "level": "mute"])
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("shh")))
        #expect(Captured.notifications("notifications/claude/channel", in: harness.output.take()).isEmpty)
        await harness.call(3, "set_perm", ["channel": "ops", "whisper": true, "level": "act"])
        await harness.call(4, "set_perm", ["server": .string(CoreHarness.server), "level": "act"])
        await harness.call(5, "set_perm", ["level": "loud"])
        let refusals = harness.output.take()
        for id in Int64(3)...5 { #expect(Captured.result(id, in: refusals)?.isError == true, "call \(id)") }
    }

    @Test func aConfigReadThatRacedWithASaveIsNotApplied() async {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up()
        let before = await harness.core.configGeneration
        await harness.call(1, "set_perm", ["whisper": true, "level": "notify"])
        #expect(await !harness.toolNames().contains("whisper"))
        // A file read that started before the save carries the old levels: ignored.
        await harness.core.reload(ClientConfig(defaultPermission: .converse), generation: before)
        #expect(await !harness.toolNames().contains("whisper"))
        // A read after the save is applied (someone edited the file).
        await harness.core.reload(ClientConfig(defaultPermission: .converse), generation: await harness.core.configGeneration)
        #expect(await harness.toolNames().contains("whisper"))
    }

    @Test func invalidArgumentsAreErrorsNotDefaults() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "create_channel", ["name": "x", "visibility": "secret"])
        await harness.call(2, "join_channel", ["channel": 5])
        await harness.call(3, "catch_up", ["channel": "ops", "since": "2x"])
        let replies = harness.output.take()
        #expect(Captured.result(1, in: replies)?.text.contains("unknown visibility") == true)
        #expect(Captured.result(2, in: replies)?.text.contains("must be a string") == true)
        #expect(Captured.result(3, in: replies)?.text.contains("invalid `since`") == true)
        #expect(harness.link.take().isEmpty)
    }

    /// The schemas say `additionalProperties: false`; `set_perm` with a made-up `scope: whisper`
    /// and a `channel` changed the channel's level when the caller meant whispers.
    @Test func argumentsTheSchemaDoesNotNameAreRefused() async throws {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "set_perm", ["level": "mute", "scope": "whisper", "channel": "ops"])
        await harness.call(2, "who", ["chanel": "ops"])
        let replies = harness.output.take()
        let refused = Captured.result(1, in: replies)
        #expect(refused?.isError == true)
        #expect(refused?.text.contains("`set_perm` has no argument `scope`") == true)
        #expect(Captured.result(2, in: replies)?.text.contains("has no argument `chanel`") == true)
        #expect(harness.link.take().isEmpty)
        // Nothing was changed.
        let server = try ServerURL(CoreHarness.server)
        #expect(await harness.core.config.permission(server: server, scope: .channel("ops")) == .notify)
    }

    @Test func moderationToolsFollowServerAndChannelAdminship() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up(admin: false)
        #expect(!(await harness.toolNames()).contains("kick"))
        // Creating a channel makes this user its admin: the moderation tools appear.
        await harness.call(1, "create_channel", ["name": "mine"])
        await harness.reply(.ack(detail: "mine"))
        #expect(await harness.toolNames().contains("kick"))
        await harness.call(2, "ban", ["channel": "theirs", "user": "bob"])
        #expect(Captured.result(2, in: harness.output.take())?.text.contains("not an admin of `theirs`") == true)
        await harness.call(3, "invite_create", ["channel": "mine", "uses": -1])
        #expect(Captured.result(3, in: harness.output.take())?.text.contains("`uses` must be") == true)
        _ = harness.link.take()
        await harness.call(4, "invite_create", ["channel": "mine", "uses": 2, "expires_in_secs": 60])
        #expect(harness.link.take() == [.admin(.inviteCreate(channel: "mine", uses: 2, expiresInSecs: 60))])
        await harness.reply(.inviteToken(token: "tok"))
        #expect(Captured.result(4, in: harness.output.take())?.text == "invite token: tok")

        await harness.reply(.serverInfo(admin: true))
        await harness.call(5, "ban", ["channel": "theirs", "user": "bob"])
        #expect(harness.link.take() == [.admin(.ban(channel: "theirs", user: "bob"))])
    }

    @Test func serverNoticesUpdateTheJoinedSet() async {
        let harness = CoreHarness(config: ClientConfig(defaultPermission: .converse))
        await harness.initialize()
        await harness.up()
        await harness.call(1, "join_channel", ["channel": "ops"])
        await harness.reply(.joined(channel: "ops"))
        await harness.reply(.error(.unauthorized("x")))
        _ = harness.link.take()
        #expect(await harness.toolNames().contains("send_channel"))
        await harness.reply(.whisper(from: .serverNotice, target: CoreHarness.ownPath, payload: .plain("you were kicked from channel `ops`")))
        #expect(harness.link.take() == [.who(channel: "ops")])
        await harness.reply(.presence(channel: "ops", sessions: [david]))
        let written = harness.output.take()
        #expect(Captured.notifications("notifications/claude/channel", in: written).contains {
            $0["params"]?["content"]?.stringValue?.contains("no longer receives #ops") == true
        })
        #expect(!(await harness.toolNames()).contains("send_channel"))
        // A delivery proves a subscription (a rename, say).
        await harness.reply(.channelMessage(channel: "ops2", from: david, payload: .plain("renamed")))
        #expect(await harness.toolNames().contains("send_channel"))
    }

    @Test func catchUpPagesForwardFromTheNewestMessageSeen() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "catch_up", ["channel": "ops"])
        #expect(harness.link.take() == [.readSince(channel: "ops", sinceMs: 0)])
        await harness.reply(.history(channel: "ops", messages: [HistoryMessage(from: david, tsMs: 5_000, payload: .plain("a"))]))
        #expect(Captured.result(1, in: harness.output.take())?.text.contains("untrusted") == true)
        await harness.call(2, "catch_up", ["channel": "ops"])
        #expect(harness.link.take() == [.readSince(channel: "ops", sinceMs: 5_000)])
        await harness.reply(.history(channel: "ops", messages: []))
        await harness.call(3, "catch_up", ["channel": "ops", "since": "2h"])
        #expect(harness.link.take() == [.readSince(channel: "ops", sinceMs: 1_000_000_000 - 7_200_000)])
    }

    /// A page may end before the count limit when the server cut it for size: the agent hears
    /// that it may not be the end either way, and a short light page says nothing of the kind.
    @Test func catchUpSaysWhenAPageMayNotBeTheEnd() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        let hint = "This page may not be the end"
        func page(_ count: Int, bytes: Int) -> [HistoryMessage] {
            (0..<count).map { HistoryMessage(from: david, tsMs: Int64(1_000 + $0), payload: .plain(String(repeating: "x", count: bytes))) }
        }
        await harness.call(1, "catch_up", ["channel": "ops", "since": "2h"])
        _ = harness.link.take()
        await harness.reply(.history(channel: "ops", messages: page(HistoryPaging.pageLimit, bytes: 1)))
        #expect(Captured.result(1, in: harness.output.take())?.text.contains(hint) == true)
        await harness.call(2, "catch_up", ["channel": "ops", "since": "2h"])
        _ = harness.link.take()
        await harness.reply(.history(channel: "ops", messages: page(3, bytes: HistoryPaging.pageBytes / 4)))
        #expect(Captured.result(2, in: harness.output.take())?.text.contains(hint) == true)
        await harness.call(3, "catch_up", ["channel": "ops", "since": "2h"])
        _ = harness.link.take()
        await harness.reply(.history(channel: "ops", messages: page(3, bytes: 10)))
        #expect(Captured.result(3, in: harness.output.take())?.text.contains(hint) == false)
    }

    /// After a kick, `catch_up` met the server's bare "not a member"; the agent is told why and
    /// what to do next.
    @Test func catchUpOnAChannelThisSessionDoesNotReceiveSaysWhatToDo() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "catch_up", ["channel": "ops"])
        _ = harness.link.take()
        await harness.reply(.error(.unauthorized("not a member of channel `ops`")))
        let result = Captured.result(1, in: harness.output.take())
        #expect(result?.isError == true)
        #expect(result?.text.contains("this session is not subscribed to it (it never joined, left, or was kicked)") == true)
        #expect(result?.text.contains("Call join_channel first") == true)
    }

    /// Live frames carry no server time, so `catch_up` starts a minute before the last one shown;
    /// what was already shown live is left out, what was not (held, muted, older) is returned.
    @Test func catchUpLeavesOutWhatWasAlreadyShownLive() async {
        var config = ClientConfig()
        config.defaultPermission = .notify
        let harness = CoreHarness(config: config)
        await harness.initialize()
        await harness.up()
        await harness.reply(.channelMessage(channel: "ops", from: david, payload: .plain("shown live")))
        _ = harness.output.take()
        await harness.call(1, "catch_up", ["channel": "ops"])
        #expect(harness.link.take() == [.readSince(channel: "ops", sinceMs: 1_000_000_000 - 60_000)])
        await harness.reply(.history(channel: "ops", messages: [
            HistoryMessage(from: david, tsMs: 999_990_000, payload: .plain("not shown")),
            HistoryMessage(from: david, tsMs: 999_999_000, payload: .plain("shown live")),
        ]))
        let text = Captured.result(1, in: harness.output.take())?.text ?? ""
        #expect(text.contains("not shown"))
        #expect(!text.contains("shown live"))

        // With `since`, the whole window, shown or not.
        await harness.call(2, "catch_up", ["channel": "ops", "since": "1h"])
        _ = harness.link.take()
        await harness.reply(.history(channel: "ops", messages: [HistoryMessage(from: david, tsMs: 999_999_000, payload: .plain("shown live"))]))
        #expect(Captured.result(2, in: harness.output.take())?.text.contains("shown live") == true)
    }

    /// A call in flight when the link drops may have taken effect: it is answered with that
    /// uncertainty and never sent again; a call not sent yet goes out on the next connection.
    @Test func aCallInFlightWhenTheLinkDropsIsNeverSentTwice() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "join_channel", ["channel": "ops"])
        await harness.call(2, "who")
        #expect(harness.link.take() == [.join(channel: "ops", token: nil)], "one request at a time")
        await harness.core.linkDown(CoreHarness.server, reason: "reset")
        let first = Captured.result(1, in: harness.output.take())
        #expect(first?.isError == true)
        #expect(first?.text.contains("may or may not have taken effect") == true)
        await harness.up()
        // Only the unsent `who` goes out on the new connection.
        #expect(harness.link.take() == [.who(channel: nil)])
    }

    @Test func cancelledCallsAreNotAnswered() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.up()
        await harness.call(1, "who")
        await harness.call(2, "list_channels")
        await harness.core.handle(.notification(method: "notifications/cancelled", params: ["requestId": 2]))
        await harness.core.handle(.notification(method: "notifications/cancelled", params: ["requestId": 1]))
        await harness.reply(.presence(channel: nil, sessions: []))
        #expect(harness.output.take().filter { $0["id"] != nil }.isEmpty)
        #expect(harness.link.take() == [.who(channel: nil)], "the unsent call was withdrawn")
    }

    @Test func linkNoticesAndHandleFights() async {
        var settings = BridgeSettings()
        settings.stableAfter = .seconds(60)
        let harness = CoreHarness(handle: SessionHandle(base: "fleet", isExplicit: false), settings: settings)
        await harness.initialize()
        await harness.up()
        await harness.core.linkDown(CoreHarness.server, reason: "closed")
        await harness.core.linkDown(CoreHarness.server, reason: "closed")
        var notices = Captured.notifications("notifications/claude/channel", in: harness.output.take())
        #expect(notices.count == 1)
        #expect(notices.first?["params"]?["content"]?.stringValue?.contains("Disconnected") == true)
        await harness.up()
        #expect(harness.output.take().first?["params"]?["content"]?.stringValue?.contains("Reconnected") == true)
        for _ in 0..<3 {
            await harness.up()
            await harness.core.linkDown(CoreHarness.server, reason: "session superseded")
        }
        notices = Captured.notifications("notifications/claude/channel", in: harness.output.take())
        #expect(notices.contains { $0["params"]?["content"]?.stringValue?.contains("`fleet-2`") == true })
        #expect(await harness.core.handleName(for: CoreHarness.server) == "fleet-2")
    }

    @Test func aRefusedHandshakeIsToldOnceAndFailsCalls() async {
        let harness = CoreHarness()
        await harness.initialize()
        await harness.call(1, "who")
        await harness.core.linkRejected(CoreHarness.server, reason: "unauthorized: unknown machine key")
        let written = harness.output.take()
        #expect(Captured.result(1, in: written)?.text.contains("refused this bridge") == true)
        #expect(Captured.notifications("notifications/claude/channel", in: written).count == 1)
        await harness.call(2, "who")
        #expect(Captured.result(2, in: harness.output.take())?.text.contains("unknown machine key") == true)
    }

    @Test func aDuplicateServerIsDisabledAndTheOtherBecomesTheDefault() async {
        let second = "wss://s1/?alias"
        let harness = CoreHarness(servers: [CoreHarness.server, second])
        await harness.initialize()
        await harness.call(1, "who")
        #expect(Captured.result(1, in: harness.output.take())?.text.contains("several servers") == true)
        await harness.core.duplicate(second, canonical: CoreHarness.server)
        #expect(harness.output.take().contains { $0["params"]?["content"]?.stringValue?.contains("is the same server as") == true })
        await harness.up()
        await harness.call(2, "who")
        #expect(harness.link.take() == [.who(channel: nil)])
    }
}
