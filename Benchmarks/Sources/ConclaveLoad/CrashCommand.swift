import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation
import Synchronization

/// Crash consistency: a real `conclave serve` is killed with SIGKILL while clients post and
/// register; after each kill the store must pass SQLite's integrity check, and after the restart
/// every post that was acknowledged must be in history and every acknowledged registration must
/// authenticate. Rounds share one data directory, so each restart also recovers the previous
/// rounds' state.
struct CrashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash", abstract: "SIGKILL the server under load, restart it, and check nothing acknowledged was lost.")

    @Option(help: "The conclave executable.") var conclave: String
    @Option var rounds = 10
    @Option(help: "Sessions posting as fast as their acknowledgements allow.") var posters = 6
    @Option(help: "Clients registering new users back to back.") var registrars = 3
    @Option(help: "Shortest load before the kill, in milliseconds.") var minKillMs = 300
    @Option(help: "Longest load before the kill, in milliseconds.") var maxKillMs = 1500
    @Option var port = 0

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conclave-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = port == 0 ? try ServerProcess.freePort() : port
        let url = try ServerURL("ws://127.0.0.1:\(port)/")
        let ledger = Ledger()
        var server = try await ServerProcess.start(conclave, directory: directory, port: port)
        Self.trace("server up on \(port)")
        let fleet = Fleet(url: url, key: try SigningKey.generate(), username: "poster")
        _ = try await fleet.client("setup").register(username: "poster", machine: "m")
        _ = try await fleet.client("setup").request(.admin(.createChannel(name: "crash", visibility: .public)))
        var checks: [String: Int] = ["integrity_ok": 0, "restarts": 0]
        // Each round checks everything acknowledged so far, so the largest count is the loss.
        var lostPosts = 0
        var lostRegistrations = 0
        for round in 1...rounds {
            let killAfter = Int.random(in: minKillMs...max(minKillMs, maxKillMs))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<posters {
                    group.addTask { await Self.post(fleet, session: "p\(index)", prefix: "r\(round)p\(index)", ledger: ledger) }
                }
                for index in 0..<registrars {
                    group.addTask { await Self.register(url, prefix: "r\(round)x\(index)x", ledger: ledger) }
                }
                try await Task.sleep(for: .milliseconds(killAfter))
                Self.trace("killing")
                server.kill()
                Self.trace("killed")
                try await group.waitForAll()
                Self.trace("load ended")
            }
            let integrity = try Self.integrityCheck(directory + "/conclave.sqlite")
            guard integrity == "ok" else { throw LoadError("round \(round): integrity check says \(integrity)") }
            checks["integrity_ok", default: 0] += 1
            Self.trace("integrity ok")
            server = try await ServerProcess.start(conclave, directory: directory, port: port)
            checks["restarts", default: 0] += 1
            Self.trace("restarted")
            // Counted, not assumed: the report carries what was found missing.
            let missingPosts = try await Self.missingPosts(fleet, ledger: ledger)
            lostPosts = max(lostPosts, missingPosts.count)
            Self.trace("posts checked")
            let refused = try await Self.refusedRegistrations(url, ledger: ledger, round: round)
            lostRegistrations = max(lostRegistrations, refused.count)
            FileHandle.standardError.write(Data(
                "round \(round): killed after \(killAfter) ms; \(ledger.postCount) posts and \(ledger.registrationCount) registrations acknowledged so far; missing now: \(missingPosts.count) posts (e.g. \(missingPosts.prefix(3))), \(refused.count) registrations\n".utf8))
        }
        server.kill()
        Report.print([
            "scenario": "crash", "rounds": rounds, "posts_acknowledged": ledger.postCount,
            "registrations_acknowledged": ledger.registrationCount, "posts_lost": lostPosts, "registrations_lost": lostRegistrations,
            "integrity_checks_ok": checks["integrity_ok"] ?? 0, "restarts": checks["restarts"] ?? 0,
        ])
        if lostPosts > 0 || lostRegistrations > 0 {
            throw LoadError("acknowledged writes were lost: \(lostPosts) posts, \(lostRegistrations) registrations")
        }
    }

    static func trace(_ text: String) {
        if ProcessInfo.processInfo.environment["CRASH_TRACE"] != nil { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
    }

    /// Posts with up to 16 in flight; each `Ack` acknowledges the oldest post in flight.
    static func post(_ fleet: Fleet, session: String, prefix: String, ledger: Ledger) async {
        _ = try? await fleet.client(session).withSession { session in
            _ = try await session.request(.join(channel: "crash", token: nil))
            var inFlight: [String] = []
            var next = 0
            while true {
                while inFlight.count < 16 {
                    let text = "\(prefix)n\(next)"
                    next += 1
                    try await session.outbound.send(.channelMessage(channel: "crash", from: session.path, payload: .plain(text)))
                    inFlight.append(text)
                }
                switch try await session.next() {
                case .ack: ledger.acknowledgePost(inFlight.removeFirst())
                case .error: inFlight.removeFirst()
                default: continue
                }
            }
        }
    }

    /// Registers new users until the server goes away.
    static func register(_ url: ServerURL, prefix: String, ledger: Ledger) async {
        var next = 0
        while true {
            guard let key = try? SigningKey.generate() else { return }
            let username = "\(prefix)\(next)"
            next += 1
            let client = ControlClient(url: url, key: key, session: "reg", logger: Fleet.quietLogger)
            guard (try? await client.register(username: username, machine: "m")) != nil else { return }
            ledger.acknowledgeRegistration(username: username, key: key)
        }
    }

    static func missingPosts(_ fleet: Fleet, ledger: Ledger) async throws -> [String] {
        let stored = try await fleet.client("audit").withSession { session -> Set<String> in
            _ = try await session.request(.join(channel: "crash", token: nil))
            var texts = Set<String>()
            var since: Int64 = -1
            while case let .history(_, page) = try await session.request(.readSince(channel: "crash", sinceMs: since)), !page.isEmpty {
                for message in page { if case let .plain(text) = message.payload { texts.insert(text) } }
                guard let last = page.last?.tsMs, last > since else { break }
                since = last
            }
            return texts
        }
        return ledger.posts.filter { !stored.contains($0) }
    }

    /// This round's registrations and a sample of the earlier ones, each authenticated afresh.
    static func refusedRegistrations(_ url: ServerURL, ledger: Ledger, round: Int) async throws -> [String] {
        let all = ledger.registrations
        let recent = all.filter { $0.username.hasPrefix("r\(round)x") }
        let earlier = all.filter { !$0.username.hasPrefix("r\(round)x") }.shuffled().prefix(20)
        var refused: [String] = []
        trace("checking \(recent.count) + \(earlier.count) registrations")
        for registration in recent + earlier {
            let client = ControlClient(url: url, key: registration.key, session: "check", logger: Fleet.quietLogger)
            // Any authenticated request will do (`Pong` is keepalive noise to a control session).
            do {
                guard case .channelList = try await client.request(.listChannels) else {
                    refused.append(registration.username)
                    continue
                }
            } catch {
                trace("check \(registration.username): \(error)")
                refused.append(registration.username)
            }
        }
        return refused
    }

    /// SQLite's own verdict on the file the killed server left behind (WAL included).
    static func integrityCheck(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// What the server acknowledged, across rounds.
final class Ledger: Sendable {
    struct Registration: Sendable {
        let username: String
        let key: SigningKey
    }

    private let state = Mutex<(posts: [String], registrations: [Registration])>(([], []))

    func acknowledgePost(_ text: String) { state.withLock { $0.posts.append(text) } }
    func acknowledgeRegistration(username: String, key: SigningKey) {
        state.withLock { $0.registrations.append(Registration(username: username, key: key)) }
    }

    var posts: [String] { state.withLock { $0.posts } }
    var registrations: [Registration] { state.withLock { $0.registrations } }
    var postCount: Int { state.withLock { $0.posts.count } }
    var registrationCount: Int { state.withLock { $0.registrations.count } }
}

/// A `conclave serve` child process on a fixed loopback port.
struct ServerProcess {
    let process: Process

    /// A loopback port nothing listens on now: the kernel's choice for a socket bound to port 0.
    /// (A random pick between 20,000 and 40,000 could land on an ephemeral port a client of the
    /// same run was using, and the server then failed to start.)
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoadError("socket() failed: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LoadError("bind() failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw LoadError("getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `conclave serve` (with `--unlimited` unless `extraArguments` are given) and waits
    /// until it accepts connections.
    static func start(_ executable: String, directory: String, port: Int, extraArguments: [String]? = nil) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--bind", "127.0.0.1:\(port)", "--data-dir", directory] + (extraArguments ?? ["--unlimited"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if Self.accepts(port: port) { return ServerProcess(process: process) }
            guard process.isRunning else { throw LoadError("the server exited with status \(process.terminationStatus) while starting") }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw LoadError("the server did not start listening on \(port)")
    }

    /// SIGKILL, then waits for the process to be gone.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
