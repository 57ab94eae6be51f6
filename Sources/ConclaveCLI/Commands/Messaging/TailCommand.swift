import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation

/// `conclave tail --channel C [--since D] [--as S] [--token T] [--json]`: prints a channel's
/// messages as they arrive, reconnecting until Ctrl-C.
struct TailCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a channel's messages as they arrive (Ctrl-C to stop).",
        discussion: """
            With --since, the retained history (up to 7 days on a default server) is printed first, all \
            of it, then live messages. A lost connection is retried with growing delays; what was missed \
            meanwhile is replayed without repeating lines. Output is one line per message: local time, \
            channel, sender path and text; --json prints one JSON object per line instead.
            """
    )

    @OptionGroup var channel: ChannelOption

    @Option(help: ArgumentHelp("Replay history from this long ago first, e.g. 30m, 2h, 1d.", valueName: "duration"))
    var since: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("The session handle to use (default: cli-<pid>).", valueName: "session"))
    var session: String?

    // Tokens may begin with `-` (base64url); the next word is the value whatever it looks like.
    @Option(parsing: .unconditional, help: "An invite token, for a private channel you are not a member of yet.")
    var token: String?

    @OptionGroup var server: ServerOptions
    @Flag(help: "Print one JSON object per line instead of text (stable for scripts).")
    var json = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try UsageCheck.value {
            try SessionPath.validateComponent(channel.channel, kind: .channel)
            if let session { try SessionPath.validateComponent(session, kind: .session) }
            _ = try since.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) }
        }
    }

    func run() async throws {
        let sinceSeconds = try since.map { text throws(ValueParseError) in try DurationText.seconds(parsing: text) }
        let remote = try RemoteServer(
            global: global, server: server, session: session ?? RemoteServer.defaultSession, extensions: [.signatures, .e2e])
        let interrupt = InterruptSignal.exitOnInterrupt()
        defer { interrupt.cancel() }
        if let session { try await Self.refuseLiveSession(named: session, on: remote) }

        let now = EpochClock.nowMs()
        let sinceMs = sinceSeconds.map { now - Int64(clamping: min($0, UInt64(Int64.max / 1000)) * 1000) }
        let state = TailState(feed: TailFeed(sinceMs: sinceMs, nowMs: now))
        var stream = TailStream(
            channel: channel.channel, token: token, printer: TailPrinter(json: json), state: state, trust: { remote.trust(for: $0) },
            url: remote.url.normalized, pingInterval: .seconds(20), silenceLimit: .seconds(45))
        stream.endToEnd = { try remote.endToEnd(for: $0) }
        let tailStream = stream
        var backoff = ReconnectBackoff()
        while true {
            let started = ContinuousClock.now
            let failure: any Error
            do {
                try await remote.client.withSession { session in try await tailStream.run(&session) }
                failure = CLIError("\(remote.url) closed the connection")
            } catch let fatal as TailStream.Fatal {
                throw fatal.error
            } catch let error as TransportError {
                // A rejected handshake (key revoked, account removed, version mismatch) will not fix
                // itself by retrying (CLI gap 8b).
                if case .handshakeRejected = error { throw ServerAdvice.transport(error, url: remote.url) }
                guard state.joinedOnce else { throw ServerAdvice.transport(error, url: remote.url) }
                failure = error
            } catch {
                guard state.joinedOnce else { throw error }
                failure = error
            }
            backoff.connectionEnded(after: started.duration(to: .now))
            let delay = backoff.nextDelay()
            let seconds = delay.fractionalSeconds
            Output.note("⚠ connection to `\(remote.url)` lost (\(failure)) — reconnecting in \(String(format: "%.1f", seconds)) s (Ctrl-C to stop)")
            try await Task.sleep(for: delay)
        }
    }

    /// Refuses an explicit `--as` that is already live for this machine: connecting would evict
    /// that session (a bridge, say), and it would evict us back (CLI gap 8i).
    private static func refuseLiveSession(named session: String, on remote: RemoteServer) async throws {
        let probe = RemoteServer(url: remote.url, directory: remote.directory, key: remote.client.key, tls: remote.client.tls)
        let (own, reply) = try await probe.requestReportingPath(.who(channel: nil))
        guard case let .presence(_, sessions) = reply else { throw probe.unexpected(reply) }
        let wanted = SessionPath(user: own.user, machine: own.machine, session: session)
        if sessions.contains(wanted) {
            throw CLIError("session \(wanted) is already live (a bridge or another tail?); connecting would disconnect it. Pick another --as")
        }
    }
}
