import Foundation
import Testing

@Suite("conclave perm and completions (real binary)")
struct PermVerbTests {
    @Test func setAndShowTheDefaultAndOverrides() async throws {
        let config = TemporaryConfig()
        let dir = ["--config-dir", config.path]
        #expect(try await CLIProcess.run(["perm", "show"] + dir).stdout == "default: notify\n")

        let set = try await CLIProcess.run(["perm", "set", "converse", "--server", "wss://s1", "--channel", "ops"] + dir)
        #expect(set.status == 0)
        #expect(set.stdout.contains("✓ permission updated"))
        #expect(set.stderr.contains("no registration"))
        #expect(try await CLIProcess.run(["perm", "set", "act", "--server", "wss://s1/", "--whisper"] + dir).status == 0)
        #expect(try await CLIProcess.run(["perm", "set", "mute"] + dir).status == 0)
        // Same server spelled differently: replaces, does not add, and keeps the first spelling.
        #expect(try await CLIProcess.run(["perm", "set", "notify", "--server", "WSS://s1:443", "--channel", "ops"] + dir).status == 0)

        let show = try await CLIProcess.run(["perm", "show"] + dir)
        #expect(show.stdout == """
            default: mute
            wss://s1 <whisper> -> act
            wss://s1 ops -> notify

            """)
        let toml = try config.read("config.toml")
        #expect(toml.contains("[[overrides]]"))
        #expect(!toml.contains("\"ACT\""))
    }

    /// Mistakes in the command line are usage errors (2); a scope with no server to put it on
    /// depends on the config, so it is a runtime error (1). None writes anything.
    @Test func scopeMistakesWriteNothing() async throws {
        let config = TemporaryConfig()
        let dir = ["--config-dir", config.path]
        let cases: [([String], Int32, String)] = [
            (["perm", "set", "converse", "--server", "wss://s1"], 2, "explicit scope"),
            (["perm", "set", "converse", "--server", "wss://s1", "--channel", "ops", "--whisper"], 2, "mutually exclusive"),
            (["perm", "set", "LOUD"], 2, "unknown permission level"),
            (["perm", "set", "converse", "--channel", "ops"], 1, "no --server given and no server is registered"),
        ]
        for (arguments, status, message) in cases {
            let result = try await CLIProcess.run(arguments + dir)
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: config.path + "/config.toml"))
    }

    @Test func aCorruptConfigIsNamedAndNotOverwritten() async throws {
        let config = TemporaryConfig()
        try config.write("default_permission = [", to: "config.toml")
        let result = try await CLIProcess.run(["perm", "set", "act", "--config-dir", config.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(config.path + "/config.toml"))
        #expect(try config.read("config.toml") == "default_permission = [")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) async throws {
        let result = try await CLIProcess.run(["completions", shell])
        #expect(result.status == 0)
        #expect(result.stdout.contains("conclave"))
        #expect(result.stdout.contains("perm"))
    }

    /// A one-shot verb writing into a closed pipe dies by SIGPIPE, silently, like `head` expects.
    @Test func closedPipeEndsQuietly() async throws {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try await CLIProcess.run(["completions", "bash"], stdout: pipe.fileHandleForWriting)
        #expect(result.terminatedBySignal)
        #expect(result.status == SIGPIPE)
        #expect(result.stderr.isEmpty)
    }
}
