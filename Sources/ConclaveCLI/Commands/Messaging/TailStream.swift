import ConclaveProtocol
import ConclaveTransport
import ConclaveClient
import Foundation

/// One connection of `tail`: join, replay what was missed, then print frames as they come, with
/// a keepalive that also detects a half-open connection (CLI gap 8c).
struct TailStream: Sendable {
    /// A failure that ends `tail` instead of reconnecting.
    struct Fatal: Error {
        let error: CLIError
    }

    let channel: String
    let token: String?
    let printer: TailPrinter
    let state: TailState
    let url: String
    /// How often to send an application `Ping`.
    let pingInterval: Duration
    /// How long without any frame before the connection is presumed dead.
    let silenceLimit: Duration

    /// Runs until the connection fails (thrown) or a fatal condition (thrown as ``Fatal``).
    func run(_ session: inout ControlSession) async throws {
        // A redeemed invite makes us a member, so only the first join needs the token.
        let reply = try await session.request(.join(channel: channel, token: state.joinedOnce ? nil : token))
        switch reply {
        case .joined:
            break
        case let .error(error):
            throw Fatal(error: CLIError("join rejected: \(error)"))
        default:
            throw Fatal(error: CLIError("unexpected response to join: \(reply.name)"))
        }
        let (first, replayFrom) = state.joined(nowMs: Self.nowMs())
        if first {
            // A note, not a result: stdout carries only the channel's lines.
            Output.note("tailing #\(channel) as \(session.path) — Ctrl-C to stop")
        } else {
            Output.note("✓ reconnected; resuming #\(channel)")
        }
        if let replayFrom {
            try await session.send(.readSince(channel: channel, sinceMs: replayFrom))
        }
        var notice: String?
        let channel = channel
        _ = try await session.stream(pingEvery: pingInterval, silenceLimit: silenceLimit) { session, frame -> Never? in
            switch frame {
            case let .channelMessage(channel, from, payload):
                let lines = state.withFeed { $0.live(channel: channel, from: from, payload: payload, nowMs: Self.nowMs()) }
                for message in lines { try emit(try printer.line(for: message)) }
            case let .history(historyChannel, messages):
                let (lines, step) = state.withFeed { $0.history(channel: historyChannel, messages: messages) }
                for message in lines { try emit(try printer.line(for: message)) }
                if case let .readMore(since) = step {
                    try await session.send(.readSince(channel: channel, sinceMs: since))
                }
            case let .whisper(from, _, payload) where ServerNotice.text(from: from, payload: payload, declaredSender: session.noticeSender) != nil:
                // Something happened to this session; find out whether it still receives the channel.
                let text = ServerNotice.text(from: from, payload: payload, declaredSender: session.noticeSender) ?? ""
                Output.note("⚠ \(url): \(TerminalText.sanitized(text))")
                notice = text
                try await session.send(.who(channel: channel))
            case let .whisper(from, _, payload):
                try emit(try printer.whisperLine(from: from, payload: payload, timeMs: Self.nowMs()))
            case let .presence(_, sessions) where notice != nil:
                if !sessions.contains(session.path) {
                    throw Fatal(error: CLIError("no longer receiving #\(channel): \(notice ?? "")"))
                }
                notice = nil
            case let .error(error):
                if let notice { throw Fatal(error: CLIError("#\(channel) is no longer available: \(notice)")) }
                if Refusal.Kind(error) == .superseded {
                    throw Fatal(error: CLIError("another connection took over session \(session.path) (\(error)); pick a different --as"))
                }
                // Shutdown, idle reaping, slow consumer: the connection ends; reconnect.
                throw CLIError("\(url) ended the session: \(error)")
            default:
                break
            }
            return nil
        }
    }

    /// Writes a line to stdout; a failed write ends `tail` (a closed pipe ends it through SIGPIPE).
    private func emit(_ line: String) throws {
        do {
            try Output.line(line)
        } catch let error as CLIError {
            throw Fatal(error: error)
        }
    }

    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
