@testable import ConclaveServer
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Testing
import ConclaveStorage
import ConclaveSQLite

@Suite("Flood limits: token buckets and their settings")
struct RateRuleTests {
    @Test func aBucketAllowsItsBurstThenSaysWhenToRetryAndRefills() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rule: .perSecond(4, burst: 3), now: start)
        var answers: [Duration?] = []
        for _ in 0..<4 { answers.append(bucket.take(now: start)) }
        // The burst, then: empty, and the next token comes in a quarter of a second.
        #expect(answers == [nil, nil, nil, .milliseconds(250)])
        let later = [bucket.take(now: start + .milliseconds(260)), bucket.take(now: start + .milliseconds(260))]
        #expect(later[0] == nil && later[1] != nil)
        // A quiet spell refills to the burst and no further.
        let full = bucket.isFull(now: start + .seconds(10))
        #expect(full)
        answers = []
        for _ in 0..<4 { answers.append(bucket.take(now: start + .seconds(10))) }
        #expect(answers.prefix(3).allSatisfy { $0 == nil } && answers[3] != nil)
    }

    @Test func limitersKeepOneBucketPerKeyAndForgetRefilledOnes() {
        let start = ContinuousClock.now
        var limiter = RateLimiter<String>(.perMinute(1))
        let answers = [limiter.admit("a", now: start), limiter.admit("b", now: start), limiter.admit("a", now: start)]
        #expect(answers == [nil, nil, .seconds(60)])
        #expect(limiter.trackedKeys == 2)
        limiter.forgetIdle(now: start + .seconds(61))
        #expect(limiter.trackedKeys == 0)
        var off = RateLimiter<String>(nil)
        var refused = 0
        for _ in 0..<1000 where off.admit("a", now: start) != nil { refused += 1 }
        #expect(refused == 0)
    }

    @Test func ratesAndLimitsParseFromTheirTextForms() throws {
        #expect(RateRule(parsing: "20/s:100") == RateRule(count: 20, periodSeconds: 1, burst: 100))
        #expect(RateRule(parsing: "10/min") == .perMinute(10))
        #expect(RateRule(parsing: "3/h")?.description == "3/h")
        for bad in ["", "20", "20/day", "0/s", "-1/s", "5/s:0", "5/s:x", "a/s", "5/s:1:2"] {
            #expect(RateRule(parsing: bad) == nil, "\(bad)")
        }
        var limits = ServerLimits()
        try limits.apply("post-rate=2/s:4")
        try limits.apply("max-body = 1KiB")
        try limits.apply("join-rate=off")
        try limits.apply("sessions-per-user=3")
        try limits.apply("user-join-rate=7/min:9")
        #expect(limits.joinsPerUser == RateRule(count: 7, periodSeconds: 60, burst: 9))
        #expect(limits.postsPerSession == .perSecond(2, burst: 4))
        #expect(limits.maxBodyBytes == 1024)
        #expect(limits.joinsPerSession == nil)
        #expect(limits.sessionsPerUser == 3)
        for bad in ["post-rate", "posts=1/s", "post-rate=fast", "max-body=-1", "max-body=9999999999999999999KiB", "channel-history=0"] {
            #expect(throws: ServerError.self, "\(bad)") { try limits.apply(bad) }
        }
        #expect(ServerLimits.unlimited[.postRate] == .off && ServerLimits.unlimited[.maxBody] == .off)
    }

    @Test func retryHintsAreReadable() {
        #expect(Refusal.retryText(.milliseconds(250)) == "0.3 s")
        #expect(Refusal.retryText(.milliseconds(9_999)) == "10.0 s")
        #expect(Refusal.retryText(.seconds(42)) == "42 s")
        #expect(Refusal.retryText(.seconds(600)) == "10 min")
    }
}

@Suite("Flood limits on a live server")
struct LimitsTests {
    /// Every limit off except those `configure` sets, so each test sees one limit at a time.
    func settings(_ configure: (inout ServerLimits) -> Void) -> HubSettings {
        HubSettings.onlyLimits(configure)
    }

    /// Posts to `ops` and returns the reply, skipping deliveries of other sessions' posts.
    func post(_ text: String, by peer: TestPeer) async throws -> ProtocolMessage {
        try await peer.send(.channelMessage(channel: "ops", from: peer.path, payload: .plain(text)))
        var reply = try await peer.next()
        while case .channelMessage = reply { reply = try await peer.next() }
        return reply
    }

    @Test func ordinaryConversationPassesTheDefaults() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    // A lively exchange: 40 posts and 20 whispers back to back, a 4 KiB body.
                    for index in 0..<40 { #expect(try await post("message \(index)", by: alice) == .ack(detail: nil)) }
                    for _ in 0..<20 {
                        #expect(try await alice.request(.whisper(from: alice.path, target: bob.path, payload: .plain("psst"))) == .ack(detail: nil))
                    }
                    #expect(try await post(String(repeating: "x", count: 4096), by: alice) == .ack(detail: nil))
                }
            }
        }
    }

    @Test func aSessionPostingTooFastIsToldWhenToRetryAndKeepsItsHeartbeat() async throws {
        try await TestServer.with(settings: settings { $0.postsPerSession = .perMinute(3) }) { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                for index in 0..<3 { #expect(try await post("\(index)", by: alice) == .ack(detail: nil)) }
                let refused = try await post("one too many", by: alice)
                guard case let .error(.internal(text)) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
                #expect(text.hasPrefix("rate limited: posts from this session exceed 3/min; retry in "))
                // One token per 20 s: the wait is at most that, however slow this machine is.
                let wait = text.split(separator: " ").dropLast().last.flatMap { Double($0) }
                #expect(wait.map { $0 > 0 && $0 <= 20 } == true, "\(text)")
                // Heartbeats, presence and leaving are never limited.
                #expect(try await alice.request(.ping) == .pong)
                #expect(try await alice.request(.who(channel: "ops")) == .presence(channel: "ops", sessions: [alice.path]))
                #expect(try await alice.request(.leave(channel: "ops")) == .ack(detail: "ops"))
                // Reading history is not a post either.
                _ = try await alice.request(.join(channel: "ops", token: nil))
                guard case let .history(_, messages) = try await alice.request(.readSince(channel: "ops", sinceMs: 0)) else {
                    Issue.record("expected History"); return
                }
                #expect(messages.count == 3)
            }
        }
    }

    @Test func aUsersSessionsShareTheUserLimit() async throws {
        try await TestServer.with(settings: settings { $0.postsPerUser = .perMinute(4) }) { server in
            let key = try newKey()
            try await server.peer(key: key, session: "one", register: "alice") { (one) async throws in
                _ = try await one.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await one.request(.join(channel: "ops", token: nil))
                try await server.peer(key: key, session: "two") { (two) async throws in
                    _ = try await two.request(.join(channel: "ops", token: nil))
                    for index in 0..<2 {
                        #expect(try await post("\(index)", by: one) == .ack(detail: nil))
                        #expect(try await post("\(index)", by: two) == .ack(detail: nil))
                    }
                    let reply = try await post("fifth", by: two)
                    guard case let .error(.internal(text)) = reply else { Issue.record("expected a refusal, got \(reply)"); return }
                    #expect(text.hasPrefix("rate limited: posts from user `alice` exceed 4/min"))
                }
            }
        }
    }

    @Test func whispersAndJoinsHaveTheirOwnLimits() async throws {
        let limited = settings {
            $0.whispersPerSession = .perMinute(2)
            $0.joinsPerSession = .perMinute(2)
        }
        try await TestServer.with(settings: limited) { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                for _ in 0..<2 { #expect(try await alice.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops")) }
                guard case let .error(.internal(joinText)) = try await alice.request(.join(channel: "ops", token: nil)) else {
                    Issue.record("expected the third join to be refused"); return
                }
                #expect(joinText.hasPrefix("rate limited: joins from this session exceed 2/min"))
                let whisper = ProtocolMessage.whisper(from: alice.path, target: alice.path, payload: .plain("note to self"))
                for _ in 0..<2 {
                    try await alice.send(whisper)
                    #expect(try await alice.next() == .whisper(from: alice.path, target: alice.path, payload: .plain("note to self")))
                    #expect(try await alice.next() == .ack(detail: nil))
                }
                guard case let .error(.internal(whisperText)) = try await alice.request(whisper) else {
                    Issue.record("expected the third whisper to be refused"); return
                }
                #expect(whisperText.hasPrefix("rate limited: whispers from this session exceed 2/min"))
            }
        }
    }

    @Test func joinsAreLimitedPerUserAcrossSessions() async throws {
        try await TestServer.with(settings: settings { $0.joinsPerUser = .perMinute(3) }) { server in
            let key = try newKey()
            try await server.peer(key: key, session: "one", register: "alice") { (one) async throws in
                _ = try await one.request(.admin(.createChannel(name: "ops", visibility: .public)))
                try await server.peer(key: key, session: "two") { (two) async throws in
                    #expect(try await one.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                    #expect(try await two.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                    #expect(try await one.request(.join(channel: "ops", token: nil)) == .joined(channel: "ops"))
                    guard case let .error(.internal(text)) = try await two.request(.join(channel: "ops", token: nil)) else {
                        Issue.record("expected the fourth join to be refused"); return
                    }
                    #expect(text.hasPrefix("rate limited: joins from user `alice` exceed 3/min"))
                }
            }
        }
    }

    @Test func whispersAreLimitedPerUserAcrossSessions() async throws {
        try await TestServer.with(settings: settings { $0.whispersPerUser = .perMinute(3) }) { server in
            let key = try newKey()
            try await server.peer(key: key, session: "one", register: "alice") { (one) async throws in
                try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                    try await server.peer(key: key, session: "two") { (two) async throws in
                        let whisper = { (peer: TestPeer) in ProtocolMessage.whisper(from: peer.path, target: bob.path, payload: .plain("psst")) }
                        #expect(try await one.request(whisper(one)) == .ack(detail: nil))
                        #expect(try await two.request(whisper(two)) == .ack(detail: nil))
                        #expect(try await one.request(whisper(one)) == .ack(detail: nil))
                        guard case let .error(.internal(text)) = try await two.request(whisper(two)) else {
                            Issue.record("expected the fourth whisper to be refused"); return
                        }
                        #expect(text.hasPrefix("rate limited: whispers from user `alice` exceed 3/min"))
                        // Bob got the three that passed, and his own budget is untouched.
                        for _ in 0..<3 {
                            guard case .whisper = try await bob.next() else { Issue.record("expected a whisper"); return }
                        }
                        #expect(try await bob.request(.whisper(from: bob.path, target: one.path, payload: .plain("hi"))) == .ack(detail: nil))
                    }
                }
            }
        }
    }

    @Test func oversizedBodiesAreRefusedWithTheLimit() async throws {
        try await TestServer.with(settings: settings { $0.maxBodyBytes = 1024 }) { server in
            try await server.peer(key: try newKey(), register: "alice") { (alice) async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                #expect(try await post(String(repeating: "x", count: 900), by: alice) == .ack(detail: nil))
                let refused = try await post(String(repeating: "x", count: 2000), by: alice)
                guard case let .error(.malformedFrame(text)) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
                #expect(text.hasPrefix("message body is 200"))
                #expect(text.hasSuffix(" bytes, over this server's max-body limit of 1024 bytes; shorten it (retrying will not help)"))
                let whisper = try await alice.request(.whisper(from: alice.path, target: alice.path, payload: .plain(String(repeating: "y", count: 2000))))
                guard case .error(.malformedFrame) = whisper else { Issue.record("expected a refusal, got \(whisper)"); return }
                // The session goes on.
                #expect(try await post("small again", by: alice) == .ack(detail: nil))
            }
        }
    }

    @Test func aUserCannotHoldMoreSessionsThanAllowedButMayReconnect() async throws {
        try await TestServer.with(settings: settings { $0.sessionsPerUser = 2 }) { server in
            let key = try newKey()
            try await server.peer(key: key, session: "one", register: "alice") { (_: TestPeer) async throws in
                try await server.peer(key: key, session: "two") { (_: TestPeer) async throws in
                    let third = try await server.rawAuth(key: key, session: "three")
                    guard case let .error(.internal(text))? = third.first else { Issue.record("expected a refusal, got \(third)"); return }
                    #expect(text.hasPrefix("limit reached: live sessions for user `alice` (at most 2)"))
                    // Advice that works while the limit is full: `conclave who` would be refused too.
                    #expect(!text.contains("conclave who"))
                    #expect(text.contains("sessions-per-user"))
                    // The same path again supersedes instead of adding a session.
                    let again = try await server.rawAuth(key: key, session: "two")
                    #expect(again.first.map { if case .established = $0 { true } else { false } } == true)
                    // Another user is unaffected.
                    try await server.peer(key: try newKey(), register: "bob") { (bob) async throws in
                        #expect(try await bob.request(.ping) == .pong)
                    }
                }
            }
        }
    }

    @Test func registrationsAndConnectionAttemptsAreLimitedPerAddress() async throws {
        try await TestServer.with(settings: settings { $0.registrationsPerAddress = .perMinute(2) }) { server in
            let known = try newKey()
            _ = try await server.rawRegister(username: "first", key: known)
            _ = try await server.rawRegister(username: "second", key: try newKey())
            let third = try await server.rawRegister(username: "third", key: try newKey())
            guard case let .error(.internal(text))? = third.first else { Issue.record("expected a refusal, got \(third)"); return }
            #expect(text.hasPrefix("rate limited: registrations from your address exceed 2/min"))
            // Signing in is not registering.
            let auth = try await server.rawAuth(key: known)
            #expect(auth.first.map { if case .established = $0 { true } else { false } } == true)
        }
        try await TestServer.with(settings: settings { $0.connectionsPerAddress = .perMinute(2) }) { server in
            _ = try await server.rawRegister(username: "first", key: try newKey())
            _ = try await server.rawRegister(username: "second", key: try newKey())
            let refusal = try await FrameLink.connect(to: try server.url, timeout: .seconds(5)) { connection in
                try await connection.outbound.send(.hello(protocolVersion: 1, session: "s1"))
                var frames = connection.inbound.makeAsyncIterator()
                return try await frames.next()
            }
            guard case let .message(.error(.internal(text)))? = refusal else { Issue.record("expected a refusal, got \(String(describing: refusal))"); return }
            #expect(text.hasPrefix("rate limited: connection attempts from your address exceed 2/min"))
        }
    }

    /// The two caps on connections that have not finished the handshake.
    enum HandshakeCap: CaseIterable, Sendable {
        case perAddress, inAll

        func apply(to limits: inout ServerLimits) {
            switch self {
            case .perAddress: limits.pendingHandshakesPerAddress = 2
            case .inAll: limits.pendingHandshakes = 2
            }
        }

        var refusal: String {
            switch self {
            case .perAddress: "limit reached: connections in the handshake from your address (at most 2)"
            case .inAll: "limit reached: connections in the handshake on this server (at most 2)"
            }
        }
    }

    @Test(arguments: HandshakeCap.allCases)
    func connectionsStuckInTheHandshakeAreCapped(_ cap: HandshakeCap) async throws {
        try await TestServer.with(settings: settings { cap.apply(to: &$0) }) { server in
            let url = try server.url
            // Two connections that never say Hello hold both slots...
            let (held, release) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                let connected = AsyncStream.makeStream(of: Void.self)
                for _ in 0..<2 {
                    group.addTask {
                        try await FrameLink.connect(to: url, timeout: .seconds(5)) { _ in
                            connected.continuation.yield()
                            for await _ in held {}
                        }
                    }
                }
                var arrivals = connected.stream.makeAsyncIterator()
                for _ in 0..<2 { _ = await arrivals.next() }
                // ...so a third is refused at once.
                let refusal = try await FrameLink.connect(to: url, timeout: .seconds(5)) { connection in
                    var frames = connection.inbound.makeAsyncIterator()
                    return try await frames.next()
                }
                guard case let .message(.error(.internal(text)))? = refusal else {
                    Issue.record("expected a refusal, got \(String(describing: refusal))"); release.finish(); return
                }
                #expect(text.hasPrefix(cap.refusal))
                release.finish()
                try await group.waitForAll()
            }
            // Once they are gone, connections get in again.
            try await Task.sleep(for: .milliseconds(200))
            try await server.peer(key: try newKey(), register: "late") { (late) async throws in
                #expect(try await late.request(.ping) == .pong)
            }
        }
    }
}

@Suite("History quota")
struct HistoryQuotaTests {
    @Test func trimmingKeepsTheNewestMessagesOfThatChannelOnly() async throws {
        let store = try SQLiteStore.inMemory()
        for name in ["a", "b"] {
            #expect(try await store.createChannel(name: name, visibility: .public, creator: "u", nowMs: 0) == .done)
        }
        try await store.appendMessages((0..<10).map { NewMessage(channel: "a", sender: "u/m/s", payload: [UInt8($0)], tsMs: Int64($0 / 3)) })
        try await store.appendMessages((0..<4).map { NewMessage(channel: "b", sender: "u/m/s", payload: [UInt8($0)], tsMs: 0) })
        #expect(try await store.trimHistory(of: "a", keeping: 4) == 6)
        #expect(try await store.messages(in: "a", after: -1, limit: 100).map(\.payload) == [[6], [7], [8], [9]])
        #expect(try await store.trimHistory(of: "a", keeping: 4) == 0)
        #expect(try await store.trimHistory(of: "b", keeping: 10) == 0)
        #expect(try await store.messages(in: "b", after: -1, limit: 100).count == 4)
        #expect(try await store.trimHistory(of: "missing", keeping: 1) == 0)
    }
}
