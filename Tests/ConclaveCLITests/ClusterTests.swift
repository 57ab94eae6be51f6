import ConclaveIdentity
import ConclaveProtocol
import ConclaveTesting
import ConclaveTransport
import ConclaveClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Three `conclave serve` instances on one PostgreSQL: what one instance's sessions do reaches
/// the others' (ordered, once), moderation takes effect everywhere within a second, a dropped
/// LISTEN connection catches up, and a SIGKILLed instance's clients fail over through HAProxy.
@Suite("Cluster on PostgreSQL (three instances)", .serialized)
struct ClusterTests {
    @Test func messagesWhispersPresenceAndSupersedeCrossInstances() async throws {
        let cluster = try await LiveCluster.start()
        defer { withExtendedLifetime(cluster) {} }
        let alice = Identity(), bob = Identity(), carol = Identity()
        try await alice.register("alice", machine: "a", url: cluster.urls[0])
        try await bob.register("bob", machine: "b", url: cluster.urls[1])
        try await carol.register("carol", machine: "c", url: cluster.urls[2])
        #expect(try await alice.run(["channel", "create", "team"]).status == 0)
        let aliceWriter = try cluster.client(alice, on: 0, session: "w")
        let carolWriter = try cluster.client(carol, on: 2, session: "w")
        let carolReader = try cluster.client(carol, on: 2, session: "h")
        let aliceWhisperer = try cluster.client(alice, on: 0, session: "w2")
        let carolAsking = try cluster.client(carol, on: 2, session: "who")
        let bobElsewhere = try cluster.client(bob, on: 0, session: "reader")
        let bobInstance = cluster.urls[1]

        try await cluster.client(bob, on: 1, session: "reader").withSession { bobSession in
            #expect(try await bobSession.request(.join(channel: "team", token: nil)) == .joined(channel: "team"))
            // Two writers on two other instances, at once.
            async let fromAlice: Void = Self.post(40, as: "alice", to: "team", client: aliceWriter)
            async let fromCarol: Void = Self.post(40, as: "carol", to: "team", client: carolWriter)
            let received = try await bobSession.collect(80).compactMap(frameText)
            try await fromAlice
            try await fromCarol
            // Every message once, each writer's in its own order...
            #expect(Set(received).count == 80)
            #expect(received.filter { $0.hasPrefix("alice") } == (0..<40).map { "alice \($0)" })
            #expect(received.filter { $0.hasPrefix("carol") } == (0..<40).map { "carol \($0)" })
            // Bob's instance timed every post it took from the bus (`GET /metrics`).
            let address = bobInstance.dropFirst("ws://".count).dropLast()
            let (host, port) = (String(address.split(separator: ":")[0]), Int(address.split(separator: ":")[1]) ?? 0)
            let scrape = try await RawSocket.httpGet(host: host, port: port, path: "/metrics")
            let lagged = scrape.split(separator: "\n").first { $0.hasPrefix("conclave_bus_lag_seconds_count ") }
            #expect(lagged.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 80 } == true, "\(lagged ?? "no bus lag")")
            // ...and in the one order the store gave them, which every instance reads back.
            let history = try await carolReader.withSession { session in
                _ = try await session.request(.join(channel: "team", token: nil))
                return try await session.request(.readSince(channel: "team", sinceMs: 0))
            }
            guard case let .history(_, messages) = history else { throw LiveServerError(detail: "\(history)") }
            #expect(messages.compactMap { if case let .plain(text) = $0.payload { text } else { nil } } == received)

            // A body too large for a notification is read from the store by the other instance.
            let large = String(repeating: "l", count: 12_000)
            #expect(try await aliceWriter.withSession { session in
                _ = try await session.request(.join(channel: "team", token: nil))
                return try await session.request(.channelMessage(channel: "team", from: session.path, payload: .plain(large)))
            } == .ack(detail: nil))
            #expect(try await bobSession.collect(1).first.flatMap(frameText) == large)

            // A whisper to a session on another instance.
            let whisper = try await aliceWhisperer
                .request(.whisper(from: SessionPath(user: "alice", machine: "a", session: "w2"),
                                  target: SessionPath(user: "bob", machine: "b", session: "reader"), payload: .plain("psst")))
            #expect(whisper == .ack(detail: nil))
            let whispered = try await bobSession.collect(1)
            #expect(whispered.first.flatMap(frameText) == "psst")

            // Presence across instances: carol on instance 2 sees bob's session on instance 1.
            // The writers' one-shot sessions leave the shared directory when their instance has
            // released them, a moment after they closed: asked until only bob's remains.
            let onlyBob = ProtocolMessage.presence(channel: "team", sessions: [SessionPath(user: "bob", machine: "b", session: "reader")])
            var who = try await carolAsking.request(.who(channel: "team"))
            let settled = ContinuousClock.now + .seconds(10)
            while who != onlyBob, ContinuousClock.now < settled {
                try await Task.sleep(for: .milliseconds(100))
                who = try await carolAsking.request(.who(channel: "team"))
            }
            #expect(who == onlyBob)
            let everyone = try await carolAsking.request(.who(channel: nil))
            guard case let .presence(_, all) = everyone else { throw LiveServerError(detail: "\(everyone)") }
            #expect(all.contains(SessionPath(user: "bob", machine: "b", session: "reader")))

            // The same path connected on instance 0 supersedes the session on instance 1.
            let started = ContinuousClock.now
            let newer = Task {
                try await bobElsewhere.withSession { session in
                    _ = try await session.request(.who(channel: nil))
                    try await Task.sleep(for: .seconds(3))
                }
            }
            defer { newer.cancel() }
            try await bobSession.waitUntilEnded(what: "the supersede")
            #expect(started.duration(to: .now) < .seconds(1))
        }
    }

    @Test func moderationTakesEffectOnEveryInstanceWithinASecond() async throws {
        let cluster = try await LiveCluster.start(admins: ["root"])
        defer { withExtendedLifetime(cluster) {} }
        let root = Identity(), owner = Identity(), member = Identity()
        try await root.register("root", machine: "r", url: cluster.urls[0])
        try await owner.register("owner", machine: "o", url: cluster.urls[0])
        try await member.register("member", machine: "m", url: cluster.urls[1])
        let channels = ["kicked", "banned", "deleted", "renamed", "members", "hidden"]
        for channel in channels {
            #expect(try await owner.run(["channel", "create", channel]).status == 0)
        }
        #expect(try await owner.run(["acl", "add", "--channel", "members", "member"]).status == 0)
        let ownerClient = try cluster.client(owner, on: 0, session: "admin")
        let rootClient = try cluster.client(root, on: 0, session: "admin")
        let memberElsewhere = try cluster.client(member, on: 2, session: "lister")
        try await cluster.client(member, on: 1, session: "s").withSession { session in
            for channel in channels {
                #expect(try await session.request(.join(channel: channel, token: nil)) == .joined(channel: channel))
            }
            for (operation, notice) in [
                (AdminOp.kick(channel: "kicked", target: "member"), "kicked"),
                (.ban(channel: "banned", user: "member"), "banned"),
                (.deleteChannel(name: "deleted"), "deleted"),
                (.renameChannel(name: "renamed", newName: "newname"), "renamed"),
                (.aclRemove(channel: "members", user: "member"), "removed from the members"),
            ] {
                let started = ContinuousClock.now
                #expect(try await ownerClient.request(.admin(operation)) != nil)
                let frames = try await session.collect(1, within: .seconds(5))
                let elapsed = started.duration(to: .now)
                #expect(frames.first.flatMap(frameText)?.contains(notice) == true, "\(frames)")
                #expect(elapsed < .seconds(1), "\(operation): \(elapsed)")
            }
            // Banned on instance 1 too: joining again is refused there.
            guard case .error = try await session.request(.join(channel: "banned", token: nil)) else {
                throw LiveServerError(detail: "a ban did not reach instance 1")
            }
            // Posting to the renamed channel under its new name works on instance 1.
            #expect(try await session.request(.channelMessage(
                channel: "newname", from: SessionPath(user: "member", machine: "m", session: "s"), payload: .plain("x"))) == .ack(detail: nil))
            // A channel made private on instance 0 disappears from listings on instance 2 at once
            // (every instance reads the store).
            #expect(try await ownerClient.request(.admin(.setVisibility(name: "hidden", visibility: .private))) == .ack(detail: "hidden"))
            #expect(try await ownerClient.request(.admin(.aclRemove(channel: "hidden", user: "member"))) == .ack(detail: "member"))
            guard case let .channelList(listed) = try await memberElsewhere.request(.listChannels) else {
                throw LiveServerError(detail: "no channel list")
            }
            #expect(!listed.contains { $0.name == "hidden" })
            // Revoking the machine, from instance 0, ends the session on instance 1.
            let started = ContinuousClock.now
            _ = try await rootClient.request(.admin(.machineRemove(name: "member/m")))
            try await session.waitUntilEnded(what: "the revocation")
            #expect(started.duration(to: .now) < .seconds(1))
        }
        // The account's removal, from instance 0, ends its sessions on instance 2.
        let remaining = try cluster.client(owner, on: 2, session: "last")
        try await remaining.withSession { session in
            _ = try await session.request(.who(channel: nil))
            let started = ContinuousClock.now
            _ = try await rootClient.request(.admin(.userRemove(username: "owner")))
            try await session.waitUntilEnded(what: "the removal")
            #expect(started.duration(to: .now) < .seconds(1))
        }
    }

    @Test func theStoreComesFromTheEnvironmentAndConflictingStoresAreRefused() async throws {
        let url = try await PostgresServer.shared().makeDatabase()
        let fromEnvironment = try BackgroundProcess(
            ["serve", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_STORE": url, "CONCLAVE_LOG_FORMAT": "json"])
        let line = await fromEnvironment.stderr.first(containing: "conclave server listening")
        #expect(line != nil, "\(fromEnvironment.stderr.all)")
        // JSON escapes `/` as `\/`.
        #expect(fromEnvironment.stderr.all.joined().contains(#""store":"postgresql postgres:\/\/conclave@"#), "the store is named")
        _ = await fromEnvironment.stop()
        let both = try await CLIProcess.run(["serve", "--store", url, "--ephemeral"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--store (or CONCLAVE_STORE) conflicts with --data-dir and --ephemeral"))
        let notPostgres = try await CLIProcess.run(["serve", "--store", "mysql://u@h/db"])
        #expect(notPostgres.status == 2)
        #expect(notPostgres.stderr.contains("not a PostgreSQL URL"))
        let unreachable = try await CLIProcess.run(["serve", "--bind", "127.0.0.1:0", "--store", "postgres://nobody@127.0.0.1:1/none?sslmode=disable"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("could not reach PostgreSQL at postgres://nobody@127.0.0.1:1/none"), "\(unreachable.stderr)")
    }

    @Test func healthSaysUnavailableWhileTheStoreIsUnreachable() async throws {
        let cluster = try await LiveCluster.start(count: 1)
        defer { withExtendedLifetime(cluster) {} }
        let health = try #require(URL(string: cluster.urls[0].replacingOccurrences(of: "ws://", with: "http://") + "health"))
        func status() async -> (Int, String) {
            guard let (body, response) = try? await URLSession.shared.data(from: health) else { return (0, "") }
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: body, as: UTF8.self))
        }
        func wait(for code: Int) async -> (Int, String) {
            let deadline = ContinuousClock.now + .seconds(15)
            var last = await status()
            while last.0 != code, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(200))
                last = await status()
            }
            return last
        }
        #expect(await wait(for: 200) == (200, "ok"))
        // The database refuses every connection, and the instance's are cut.
        let postgres = try await PostgresServer.shared()
        try await postgres.sql("ALTER DATABASE \(cluster.database) ALLOW_CONNECTIONS false", database: "postgres")
        try await postgres.sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(cluster.database)'", database: "postgres")
        let down = await wait(for: 503)
        #expect(down.0 == 503)
        #expect(down.1.hasPrefix("unavailable: no heartbeat reached the cluster store"), "\(down.1)")
        // Back again: healthy again.
        try await postgres.sql("ALTER DATABASE \(cluster.database) ALLOW_CONNECTIONS true", database: "postgres")
        #expect(await wait(for: 200) == (200, "ok"))
    }

    @Test func anInstanceWhoseListenConnectionDroppedCatchesUpFromTheStore() async throws {
        let cluster = try await LiveCluster.start(count: 2)
        defer { withExtendedLifetime(cluster) {} }
        let alice = Identity(), bob = Identity()
        try await alice.register("alice", machine: "a", url: cluster.urls[0])
        try await bob.register("bob", machine: "b", url: cluster.urls[1])
        #expect(try await alice.run(["channel", "create", "feed"]).status == 0)
        let aliceWriter = try cluster.client(alice, on: 0, session: "w")
        let database = cluster.database
        try await cluster.client(bob, on: 1, session: "r").withSession { bobSession in
            _ = try await bobSession.request(.join(channel: "feed", token: nil))
            // Cut every LISTEN connection (both instances'), then post at once: the
            // notifications for these posts reach no one on instance 1.
            let postgres = try await PostgresServer.shared()
            let cut = try await postgres.sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)' AND query LIKE 'LISTEN%'",
                database: "postgres")
            #expect(cut == "2")
            try await Self.post(20, as: "alice", to: "feed", client: aliceWriter)
            let received = try await bobSession.collect(20, within: .seconds(10)).compactMap(frameText)
            #expect(received == (0..<20).map { "alice \($0)" })
        }
    }

    @Test func aKilledInstancesClientsFailOverThroughTheLoadBalancerLosingNothing() async throws {
        let cluster = try await LiveCluster.start()
        defer { withExtendedLifetime(cluster) {} }
        try await cluster.startBalancer()
        let balancer = try #require(cluster.balancerURL)
        let alice = Identity(), bob = Identity()
        try await alice.register("alice", machine: "a", url: balancer)
        try await bob.register("bob", machine: "b", url: balancer)
        #expect(try await alice.run(["channel", "create", "live"]).status == 0)
        let tail = try bob.start(["tail", "--channel", "live", "--as", "watcher"])
        #expect(await tail.stderr.first(containing: "tailing #live as bob/b/watcher") != nil)
        // `balance first`: every client is on instance 0. A session that will not reconnect shows
        // how long a dead instance's presence lingers.
        let ghostClient = try cluster.client(alice, on: 0, session: "ghost")
        let ghost = Task {
            try await ghostClient.withSession { session in
                _ = try await session.request(.who(channel: nil))
                while true { _ = try await session.next() }
            }
        }
        defer { ghost.cancel() }
        for index in 0..<5 {
            #expect(try await alice.run(["send", "--channel", "live", "before \(index)"]).status == 0)
        }
        #expect(await tail.stdout.first(containing: "before 4") != nil)

        await cluster.kill(0)
        let killed = ContinuousClock.now
        // Its presence disappears everywhere within the stated bound (6 s).
        var gone: Duration?
        while gone == nil, killed.duration(to: .now) < .seconds(15) {
            let who = try await cluster.client(bob, on: 2, session: "probe").request(.who(channel: nil))
            if case let .presence(_, sessions) = who, !sessions.contains(where: { $0.session == "ghost" }) {
                gone = killed.duration(to: .now)
            } else {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let lingered = try #require(gone, "the killed instance's session never left the directory")
        #expect(lingered < .seconds(7))

        // The tail reconnects through the balancer to a live instance and streams again.
        var delivered = false
        for attempt in 0..<20 where !delivered {
            let sent = try await alice.run(["send", "--channel", "live", "after \(attempt)"])
            if sent.status == 0, await tail.stdout.first(containing: "after \(attempt)", timeout: .seconds(2)) != nil {
                delivered = true
            }
        }
        #expect(delivered, "\(tail.stderr.all)")
        // Every acknowledged post survived the kill.
        let reader = try cluster.client(alice, on: 1, session: "h")
        let history = try await reader.withSession { session in
            _ = try await session.request(.join(channel: "live", token: nil))
            return try await session.request(.readSince(channel: "live", sinceMs: 0))
        }
        guard case let .history(_, messages) = history else { throw LiveServerError(detail: "\(history)") }
        let texts = messages.compactMap { if case let .plain(text) = $0.payload { text } else { nil } }
        #expect(Array(texts.prefix(5)) == (0..<5).map { "before \($0)" })
        #expect(await tail.stop(with: SIGINT) == 0)
    }

    /// Joins `channel` and posts `count` messages `"<name> <n>"` in order, each acknowledged before
    /// the next.
    static func post(_ count: Int, as name: String, to channel: String, client: ControlClient) async throws {
        try await client.withSession { session in
            _ = try await session.request(.join(channel: channel, token: nil))
            for index in 0..<count {
                let reply = try await session.request(.channelMessage(channel: channel, from: session.path, payload: .plain("\(name) \(index)")))
                guard reply == .ack(detail: nil) else { throw LiveServerError(detail: "post refused: \(reply)") }
            }
        }
    }
}
