import ConclaveIdentity
import ConclaveProtocol
import Foundation
import Synchronization
import Testing

@Suite("config.toml on disk")
struct ConfigFileTests {
    static let referenceExample = """
        default_permission = "notify"          # machine default level

        [[servers]]                            # one table per registration
        url = "wss://conclave.example"
        username = "aaron"
        machine = "workstation"
        colour = "ignored unknown key"

        [[overrides]]                          # channel scope
        server = "wss://conclave.example"
        channel = "ops"
        level = "act"

        [[overrides]]                          # whisper scope: no `channel` key
        server = "wss://conclave.example"
        level = "converse"
        """

    @Test func loadsTheReferenceSchema() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write(Self.referenceExample, to: directory.configPath)
        let config = try ConfigFile(directory: directory).load()
        #expect(config.defaultPermission == .notify)
        #expect(config.servers == [Registration(url: "wss://conclave.example", username: "aaron", machine: "workstation")])
        let server = try ServerURL("wss://conclave.example/")
        #expect(config.permission(server: server, scope: .channel("ops")) == .act)
        #expect(config.permission(server: server, scope: .whisper) == .converse)
    }

    @Test func acceptsEmptyInlineArraysAndMissingKeys() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("servers = []\noverrides = []\n", to: directory.configPath)
        #expect(try ConfigFile(directory: directory).load() == ClientConfig())
        try temp.write("", to: directory.configPath)
        #expect(try ConfigFile(directory: directory).load() == ClientConfig())
    }

    @Test func floodSettingsRoundTripAndDefaultsStayOutOfTheFile() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        let file = ConfigFile(directory: directory)
        try file.update { $0.defaultPermission = .act }
        #expect(try !temp.contents(of: directory.configPath).contains("[flood]"))
        try file.update { config in
            config.flood.emitPerWindow = 5
            config.flood.pingPongTurns = 0
        }
        #expect(try temp.contents(of: directory.configPath).contains("[flood]"))
        var expected = FloodControl()
        expected.emitPerWindow = 5
        expected.pingPongTurns = 0
        #expect(try file.load().flood == expected)
        // Hand-written, with an unknown key (ignored, as elsewhere in the file).
        try temp.write("[flood]\ninject_per_window = 7\nfuture_knob = 1\n", to: directory.configPath)
        #expect(try file.load().flood.injectPerWindow == 7)
    }

    /// A file in our earlier normal form is rewritten once, on the first load, with the marker;
    /// later loads leave it alone. The CA file round-trips.
    @Test func anEarlierFileIsMigratedOnLoadAndCAFilesRoundTrip() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("""
            [[servers]]
            url = "ws://127.0.0.1:4390/"
            username = "aaron"
            machine = "ws"
            ca_file = "/etc/conclave/ca.pem"

            [[overrides]]
            server = "ws://127.0.0.1:4390/"
            level = "act"
            """, to: directory.configPath)
        let file = ConfigFile(directory: directory)
        let loaded = try file.load()
        #expect(loaded.servers == [Registration(url: "ws://127.0.0.1:4390", username: "aaron", machine: "ws", caFile: "/etc/conclave/ca.pem")])
        let text = try temp.contents(of: directory.configPath)
        #expect(text.contains(#"url = "ws://127.0.0.1:4390""#))
        #expect(text.contains(#"server = "ws://127.0.0.1:4390""#))
        #expect(text.contains(#"url_style = "as-written""#))
        #expect(text.contains(#"ca_file = "/etc/conclave/ca.pem""#))

        // Marked: a slash typed later stays.
        let slashed = try ServerURL("ws://127.0.0.1:4390/")
        try file.update { $0.register(server: slashed, username: "aaron", machine: "ws") }
        #expect(try file.load().servers.map(\.url) == ["ws://127.0.0.1:4390/"])
    }

    @Test func aMissingFileIsTheDefault() throws {
        let temp = TemporaryDirectory()
        #expect(try ConfigFile(directory: ConfigDirectory(path: temp.path + "/absent")).load() == ClientConfig())
    }

    @Test func roundTripsAndWritesLowercaseLevels() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        let file = ConfigFile(directory: directory)
        let server = try ServerURL("ws://127.0.0.1:4390")
        try file.update { config in
            config.defaultPermission = .act
            config.register(server: server, username: "aaron \"the\" admin", machine: "work\\station")
            config.setPermission(.notify, server: server, scope: .channel("ops"))
            config.setPermission(.converse, server: server, scope: .whisper)
        }
        let text = try temp.contents(of: directory.configPath)
        #expect(text.contains(#"default_permission = "act""#))
        #expect(text.contains(#"level = "notify""#))
        let loaded = try file.load()
        #expect(loaded.servers.first?.username == "aaron \"the\" admin")
        #expect(loaded.servers.first?.machine == "work\\station")
        #expect(loaded.overrides.count == 2)
        #expect(try temp.mode(of: directory.configPath) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: [
        ("default_permission = \"loud\"", "unknown permission level `loud`"),
        ("default_permission = 3", "`default_permission` must be a string"),
        ("[[servers]]\nurl = \"wss://h\"\nusername = \"a\"", "`servers[0].machine` is missing"),
        ("[[overrides]]\nserver = \"wss://h\"\nlevel = \"ACT\"", "`overrides[0].level`"),
        ("servers = \"nope\"", "`servers` must be an array of tables"),
        ("this is [not toml", "line 1"),
        ("[flood]\nemit_per_window = -1", "`flood.emit_per_window` must be 0 (off) or more"),
        ("[flood]\ninject_per_window = \"many\"", "`flood.inject_per_window` must be a whole number"),
        ("flood = 3", "`flood` must be a table"),
    ])
    func corruptFilesAreReportedAndLeftAlone(_ contents: String, _ expected: String) throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write(contents, to: directory.configPath)
        let file = ConfigFile(directory: directory)
        do {
            _ = try file.load()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(expected))
            #expect(error.description.contains(directory.configPath))
        }
        #expect(throws: IdentityError.self) { try file.update { $0.defaultPermission = .act } }
        #expect(try temp.contents(of: directory.configPath) == contents)
    }

    @Test func aFailedChangeWritesNothing() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        let file = ConfigFile(directory: directory)
        #expect(throws: IdentityError.self) {
            try file.update { config throws(IdentityError) in
                config.defaultPermission = .act
                throw IdentityError.noConfigDirectory
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.configPath))
    }

    @Test func staleTemporaryFilesAreCleanedUp() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("junk", to: directory.configPath + ".4242.tmp")
        try ConfigFile(directory: directory).update { $0.defaultPermission = .act }
        #expect(!FileManager.default.fileExists(atPath: directory.configPath + ".4242.tmp"))
    }

    /// Without the lock, concurrent read-modify-write cycles lose updates.
    @Test func concurrentUpdatesLoseNothing() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        let server = try ServerURL("wss://h")
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            do {
                try ConfigFile(directory: directory).update { config in
                    config.setPermission(.act, server: server, scope: .channel("c\(index)"))
                }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try ConfigFile(directory: directory).load().overrides.count == 40)
    }
}

@Suite("approvers in config.toml")
struct ApproverConfigTests {
    @Test func bareUsernamesFromTheEarlierFormAreKeptButBoundToNothing() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        try temp.write("approvers = [\"bob\"]\n", to: directory.configPath)
        let file = ConfigFile(directory: directory)
        var config = try file.load()
        #expect(config.approvers.isEmpty)
        #expect(config.unboundApprovers == ["bob"])
        #expect(config.approvers(for: try ServerURL("wss://a.example")).isEmpty)
        // Rewriting the file keeps them (visible, still unbound) next to bound entries.
        try file.update { $0.defaultPermission = .converse }
        config = try file.load()
        #expect(config.unboundApprovers == ["bob"])
    }

    @Test func boundEntriesRoundTripWithTheirServerKeyAndMachine() throws {
        let temp = TemporaryDirectory()
        let directory = ConfigDirectory(path: temp.path)
        let file = ConfigFile(directory: directory)
        let key = try SigningKey.generate().publicKey.text
        let first = try ServerURL("WSS://A.example:443/")
        let second = try ServerURL("wss://b.example")
        try file.update { config in
            config.approvers = [Approver(server: first, user: "bob", key: key, machine: "laptop"), Approver(server: second, user: "aaron")]
        }
        let config = try file.load()
        #expect(config.approvers(for: try ServerURL("wss://a.example")) == [Approver(server: first, user: "bob", key: key, machine: "laptop")])
        #expect(config.approvers(for: second).map(\.user) == ["aaron"])
        #expect(config.approvers(for: try ServerURL("wss://c.example")).isEmpty)
        #expect(config.approvers[0].covers(user: "bob", machine: "laptop"))
        #expect(!config.approvers[0].covers(user: "bob", machine: "desk"))
    }
}

@Suite("sealed boxes")
struct SealedBoxTests {
    @Test func onlyTheRecipientKeyOpensABox() throws {
        let recipient = try SigningKey.generate()
        let other = try SigningKey.generate()
        let box = try SealedBox.seal(Array("secret prompt".utf8), to: recipient.publicKey)
        #expect(box.count == 13 + SealedBox.overhead)
        #expect(recipient.openSealedBox(box) == Array("secret prompt".utf8))
        #expect(other.openSealedBox(box) == nil)
        var tampered = box
        tampered[tampered.count - 1] ^= 1
        #expect(recipient.openSealedBox(tampered) == nil)
        #expect(recipient.openSealedBox([1, 2, 3]) == nil)
    }
}
