import ArgumentParser
import ConclaveIdentity
import ConclaveTransport
import Foundation
import NIOCore

/// Scenario 5: many authenticated idle sessions, pinging every 20 s (the server drops sessions
/// silent for 60 s). Prints `opened N` once all are established, holds them for `--hold`
/// seconds, then exits; the suite reads the server's memory and CPU from `/proc` meanwhile, so
/// several of these processes (on different loopback addresses) can share one measurement.
struct IdleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle", abstract: "Hold many idle sessions.")

    @Option var url: String
    @Option var sessions = 10_000
    @Option(help: "Seconds to hold the sessions once established.") var hold = 60
    @Option(help: "Handshakes in progress at once.") var concurrency = 64
    @Option(help: "Local address to connect from (127.0.0.x spreads the source ports).") var localAddress: String?
    @Flag(help: "Plain WebSocket connections to a floor server (no handshake, no pings): what an idle connection costs the stack alone.")
    var floor = false

    func run() async throws {
        let opened = Counter()
        if floor {
            let url = try ServerURL(url)
            let unused = Counter()
            var connections: [any Channel] = []
            defer { for connection in connections { connection.close(promise: nil) } }
            for _ in 0..<sessions {
                connections.append(try await WireClient.connect(to: url, pacing: .unpaced, localAddress: localAddress) {
                    WireSession(role: .floor(), ready: opened, delivered: unused)
                })
            }
            guard await opened.wait(for: sessions, timeout: .seconds(120)) else {
                throw LoadError("only \(opened.current) of \(sessions) floor connections opened")
            }
            FileHandle.standardOutput.write(Data("opened \(sessions)\n".utf8))
            try await Task.sleep(for: .seconds(hold))
            return
        }
        let fleet = try await Fleet.register(url: url, username: "idle\(UInt32.random(in: 0...UInt32.max))")
        let unused = Counter()
        var connections: [any Channel] = []
        connections.reserveCapacity(sessions)
        defer { for connection in connections { connection.close(promise: nil) } }
        let key = fleet.key
        for index in 0..<sessions {
            if connections.count - opened.current >= concurrency {
                guard await opened.wait(for: connections.count - concurrency + 1, timeout: .seconds(60)) else {
                    throw LoadError("only \(opened.current) of \(connections.count) idle sessions established")
                }
            }
            connections.append(try await WireClient.connect(to: fleet.url, pacing: .unpaced, localAddress: localAddress) {
                WireSession(role: .idle(key: key, handle: "idle\(index)", heartbeat: .seconds(20)), ready: opened, delivered: unused)
            })
        }
        guard await opened.wait(for: sessions, timeout: .seconds(120)) else {
            throw LoadError("only \(opened.current) of \(sessions) idle sessions established")
        }
        // Unbuffered: the suite waits for this line through a pipe.
        FileHandle.standardOutput.write(Data("opened \(sessions)\n".utf8))
        try await Task.sleep(for: .seconds(hold))
    }
}

/// RSS and CPU time of a process, from /proc.
struct ProcessStats {
    let rssBytes: Int
    let cpuSeconds: Double

    init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        rssBytes = (Int(rssLine.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may contain spaces) start after the last ')'.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")") ?? stat.startIndex)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        cpuSeconds = ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
