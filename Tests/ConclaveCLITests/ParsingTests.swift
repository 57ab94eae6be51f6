import ArgumentParser
@testable import ConclaveCLI
import Testing

@Suite("Command-line parsing")
struct ParsingTests {
    @Test func definitionIsSelfConsistent() throws {
        // The parser validates each command when it renders its help; walk the whole tree.
        var pending: [any ParsableCommand.Type] = [Conclave.self]
        var seen = 0
        while let next = pending.popLast() {
            #expect(!Conclave.helpMessage(for: next).isEmpty)
            pending += next.configuration.subcommands
            seen += 1
        }
        #expect(seen > 30)
    }

    /// Keys and tokens are base64url: one in 64 begins with `-`, and is still the option's value.
    @Test func keysAndTokensThatBeginWithADashAreValues() throws {
        let key = "-" + String(repeating: "A", count: 42)
        let add = try #require(try Conclave.parseAsRoot(["machine", "add", "--name", "laptop", "--pubkey", key]) as? MachineCommand.Add)
        #expect(add.pubkey == key)
        let approver = try #require(try Conclave.parseAsRoot(["approvers", "add", "bob", "--key", key]) as? ApproversCommand.Add)
        #expect(approver.key == key)
        let join = try #require(try Conclave.parseAsRoot(["join", "ops", "--token", "-tok"]) as? JoinCommand)
        #expect(join.token == "-tok")
        let send = try #require(try Conclave.parseAsRoot(["send", "--channel", "ops", "hi", "--token", "-tok"]) as? SendCommand)
        #expect(send.token == "-tok")
        let tail = try #require(try Conclave.parseAsRoot(["tail", "--channel", "ops", "--token", "-tok"]) as? TailCommand)
        #expect(tail.token == "-tok")
    }

    @Test func rootHelpListsTheVerbs() {
        let help = Conclave.helpMessage()
        for verb in [
            "serve", "key", "register", "machine", "server", "status", "join", "channel", "acl", "invite", "send", "tail",
            "who", "kick", "ban", "unban", "bans", "user", "perm", "completions",
        ] {
            #expect(help.contains(verb))
        }
    }

    @Test func globalOptionsWorkBeforeAndAfterTheVerb() throws {
        let before = try #require(try Conclave.parseAsRoot(["-v", "--config-dir", "/tmp/a", "key"]) as? KeyCommand)
        #expect(before.global.verbose)
        #expect(before.global.configDir == "/tmp/a")
        let after = try #require(try Conclave.parseAsRoot(["perm", "show", "--config-dir", "/tmp/b"]) as? PermShowCommand)
        #expect(after.global.configDir == "/tmp/b")
        #expect(!after.global.verbose)
    }

    @Test func permSetParsesItsScopeFlags() throws {
        let command = try #require(try Conclave.parseAsRoot(["perm", "set", "converse", "--server", "wss://s1", "--whisper"]) as? PermSetCommand)
        #expect(command.level == "converse")
        #expect(command.server == "wss://s1")
        #expect(command.whisper)
    }

    @Test func scopeRules() throws {
        #expect(try PermissionScopeRules.scope(server: nil, channel: nil, whisper: false) == nil)
        #expect(try PermissionScopeRules.scope(server: "wss://s1", channel: nil, whisper: true)?.1 == .whisper)
        #expect(try PermissionScopeRules.scope(server: "wss://s1", channel: "ops", whisper: false)?.1 == .channel("ops"))
        let expectations: [(String?, String?, Bool, String)] = [
            ("wss://s1", nil, false, "explicit scope"),
            ("wss://s1", "ops", true, "mutually exclusive"),
            (nil, "ops", false, "need a server"),
            (nil, nil, true, "need a server"),
            ("wss://s1", "a/b", false, "invalid channel name"),
            ("https://s1", "ops", false, "use wss://"),
        ]
        for (server, channel, whisper, message) in expectations {
            do {
                _ = try PermissionScopeRules.scope(server: server, channel: channel, whisper: whisper)
                Issue.record("expected an error containing \(message)")
            } catch {
                #expect("\(error)".contains(message))
            }
        }
    }

    @Test func logLevelResolution() {
        #expect(LogSettings.resolve(verbose: false, environment: [:]) == LogSettings(level: .info, format: .human))
        #expect(LogSettings.resolve(verbose: true, environment: [:]).level == .debug)
        #expect(LogSettings.resolve(verbose: false, environment: ["RUST_LOG": "warn"]).level == .warning)
        #expect(LogSettings.resolve(verbose: true, environment: ["RUST_LOG": "trace"]).level == .trace)
        #expect(LogSettings.resolve(verbose: true, environment: ["RUST_LOG": ""]).level == .debug)
        #expect(LogSettings.resolve(verbose: false, environment: ["CONCLAVE_LOG": "error", "RUST_LOG": "trace"]).level == .error)
        #expect(LogSettings.resolve(verbose: false, environment: ["CONCLAVE_LOG_FORMAT": "JSON"]).format == .json)
    }

    @Test func verboseRaisesOnlyConclaveLoggers() {
        let settings = LogSettings.resolve(verbose: true, environment: [:])
        #expect(settings.level(forLabel: "conclave.key") == .debug)
        #expect(settings.level(forLabel: "servicelifecycle") == .warning)
    }

    private func command(at path: [String]) throws -> any ParsableCommand.Type {
        var current: any ParsableCommand.Type = Conclave.self
        for name in path {
            current = try #require(current.configuration.subcommands.first { $0.configuration.commandName == name })
        }
        return current
    }
}
