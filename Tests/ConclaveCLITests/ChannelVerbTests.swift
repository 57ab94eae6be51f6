import Foundation
import Testing

@Suite("channel, acl, invite, join, moderation and user verbs (real server)")
struct ChannelVerbTests {
    @Test func channelLifecycle() async throws {
        let server = try await LiveServer.start()
        let alice = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        #expect(try await alice.run(["channel", "create", "ops"]).stdout == "✓ ops\n")
        #expect(try await alice.run(["channel", "create", "secret", "--visibility", "private"]).status == 0)
        let badTier = try await alice.run(["channel", "create", "x", "--visibility", "secret"])
        #expect(badTier.status == 2)
        #expect(badTier.stderr.contains("unknown visibility tier `secret`"))
        let taken = try await alice.run(["channel", "create", "ops"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("already taken"))

        let table = try await alice.run(["channel", "list"]).stdout.split(separator: "\n")
        #expect(table.first?.hasPrefix("CHANNEL  VISIBILITY  MEMBER") == true)
        #expect(table.contains { $0.hasPrefix("secret") && $0.contains("private") })

        #expect(try await alice.run(["channel", "rename", "ops", "ops2"]).stdout == "✓ ops2\n")
        #expect(try await alice.run(["channel", "set-visibility", "ops2", "unlisted"]).stdout == "✓ ops2\n")
        let listed = try JSONOutput.objects(try await alice.run(["channel", "list", "--json"]).stdout)
        #expect(listed.first { $0["name"] as? String == "ops2" }?["visibility"] as? String == "unlisted")
        #expect(listed.allSatisfy { $0["member"] as? Bool == true })
        #expect(try await alice.run(["channel", "delete", "ops2"]).stdout.hasPrefix("✓ deleted #ops2 on "))
        let after = try JSONOutput.objects(try await alice.run(["channel", "list", "--json"]).stdout)
        #expect(after.compactMap { $0["name"] as? String } == ["secret"])

        // Someone else sees neither the private channel nor may administer it.
        let bob = Identity()
        try await bob.register("bob", machine: "lap", on: server)
        #expect(try JSONOutput.objects(try await bob.run(["channel", "list", "--json"]).stdout).isEmpty)
        let denied = try await bob.run(["channel", "delete", "secret"])
        #expect(denied.status == 1)
        #expect(denied.stdout.isEmpty)
    }

    @Test func invitesMembershipBansAndAccounts() async throws {
        let server = try await LiveServer.start(admins: ["alice"])
        let alice = Identity()
        let bob = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        try await bob.register("bob", machine: "lap", on: server)
        #expect(try await alice.run(["channel", "create", "secret", "--visibility", "private"]).status == 0)

        let refused = try await bob.run(["join", "secret"])
        #expect(refused.status == 1)
        let created = try await alice.run(["invite", "create", "--channel", "secret", "--uses", "1", "--expires-in", "1h30m"])
        #expect(created.stdout.hasPrefix("invite token: "))
        let token = String(created.stdout.dropFirst("invite token: ".count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let invites = try JSONOutput.objects(try await alice.run(["invite", "list", "--channel", "secret", "--json"]).stdout)
        #expect(invites.first?["token"] as? String == token)
        #expect(invites.first?["uses_remaining"] as? Int == 1)
        #expect(invites.first?["expires_at"] is String)
        // An unbounded invite: `null` in JSON, words in the table.
        #expect(try await alice.run(["invite", "create", "--channel", "secret"]).status == 0)
        let both = try JSONOutput.objects(try await alice.run(["invite", "list", "--channel", "secret", "--json"]).stdout)
        #expect(both.count == 2)
        #expect(both.last?["uses_remaining"] is NSNull && both.last?["expires_at"] is NSNull)
        let table = try await alice.run(["invite", "list", "--channel", "secret"]).stdout.split(separator: "\n")
        #expect(table.first?.hasPrefix("TOKEN") == true && table.count == 3)
        #expect(table.last?.hasSuffix("unlimited  never") == true, "\(table)")
        let badDuration = try await alice.run(["invite", "create", "--channel", "secret", "--expires-in", "2x"])
        #expect(badDuration.status == 2)
        #expect(badDuration.stderr.contains("invalid duration `2x`"))

        let joined = try await bob.run(["join", "secret", "--token", token, "--perm", "converse"])
        #expect(joined.status == 0, "\(joined.stderr)")
        #expect(joined.stdout == "✓ joined secret\n")
        #expect(joined.stderr.contains("join_channel"))
        #expect(try await bob.run(["perm", "show"]).stdout.contains("secret -> converse"))
        #expect(try await alice.run(["acl", "list", "--channel", "secret"]).stdout.contains("bob"))

        #expect(try await alice.run(["ban", "--channel", "secret", "bob"]).stdout == "✓ bob\n")
        #expect(try await alice.run(["bans", "--channel", "secret"]).stdout == "BANNED\nbob\n")
        #expect(try await bob.run(["join", "secret"]).status == 1)
        #expect(try await alice.run(["unban", "--channel", "secret", "bob"]).stdout == "✓ bob\n")
        let noBans = try await alice.run(["bans", "--channel", "secret", "--json"])
        #expect(try JSONOutput.objects(noBans.stdout).isEmpty)
        #expect(try await alice.run(["acl", "add", "--channel", "secret", "bob"]).stdout == "✓ bob\n")
        let members = try JSONOutput.objects(try await alice.run(["acl", "list", "--channel", "secret", "--json"]).stdout)
        #expect(Set(members.compactMap { $0["username"] as? String }) == ["alice", "bob"])
        #expect(try await alice.run(["acl", "remove", "--channel", "secret", "bob"]).stdout == "✓ bob\n")
        #expect(try await alice.run(["invite", "revoke", token]).stdout == "✓ \(token)\n")

        // Server-admin and channel-admin verbs refuse others.
        for arguments in [["user", "list"], ["invite", "create", "--channel", "secret"], ["user", "remove", "alice"]] {
            let result = try await bob.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try await bob.run(["user", "list"]).stderr.contains("admin"))

        let users = try JSONOutput.objects(try await alice.run(["user", "list", "--json"]).stdout)
        #expect(Set(users.compactMap { $0["username"] as? String }) == ["alice", "bob"])
        #expect(try await alice.run(["user", "remove", "bob"]).stdout.hasPrefix("✓ removed `bob` from "))
        #expect(try await alice.run(["user", "list"]).stdout == "USER\nalice\n")
    }

    @Test func aRefusedJoinWritesNoOverride() async throws {
        let server = try await LiveServer.start()
        let bob = Identity()
        try await bob.register("bob", machine: "lap", on: server)
        let result = try await bob.run(["join", "nowhere", "--perm", "act"])
        #expect(result.status == 1)
        #expect(!(try bob.config.read("config.toml")).contains("act"))
        let badLevel = try await bob.run(["join", "nowhere", "--perm", "loud"])
        #expect(badLevel.status == 2)
        #expect(badLevel.stderr.contains("unknown permission level `loud`"))
    }

    @Test func whoListsOthersAndKickEndsATail() async throws {
        let server = try await LiveServer.start()
        let alice = Identity()
        let bob = Identity()
        try await alice.register("alice", machine: "ws", on: server)
        try await bob.register("bob", machine: "lap", on: server)
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        let tail = try bob.start(["tail", "--channel", "ops", "--as", "watcher"])
        #expect(await tail.stderr.first(containing: "tailing #ops as bob/lap/watcher") != nil)

        let who = try JSONOutput.object(try await alice.run(["who", "ops", "--json"]).stdout)
        let sessions = try #require(who["sessions"] as? [[String: Any]])
        #expect(sessions.compactMap { $0["path"] as? String } == ["bob/lap/watcher"])
        #expect(who["channel"] as? String == "ops")
        // `--channel`, as `send` and `tail` take it, means the same.
        let byOption = try JSONOutput.object(try await alice.run(["who", "--channel", "ops", "--json"]).stdout)
        #expect(byOption["channel"] as? String == "ops")
        #expect(try await alice.run(["who", "ops", "--channel", "other"]).status == 2)
        let everyone = try await alice.run(["who"])
        #expect(everyone.stdout.contains("watcher"))
        #expect(!everyone.stdout.contains("alice"), "the verb's own session is left out")

        #expect(try await alice.run(["kick", "--channel", "ops", "bob/lap/watcher"]).stdout == "✓ bob/lap/watcher\n")
        #expect(await tail.exitStatus(timeout: .seconds(10)) == 1)
        #expect(tail.stderr.all.joined().contains("kicked"))
        let badTarget = try await alice.run(["kick", "--channel", "ops", "bob/lap"])
        #expect(badTarget.status == 1)
        #expect(badTarget.stderr.contains("not a `user/machine/session` path"))
    }
}
