import ConclaveClient
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
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
    /// Makes the signature checks for a connection (`nil` for one without signatures).
    let trust: @Sendable (ControlSession) -> MessageTrust?
    /// Makes the end-to-end channel keys for a connection (`nil` for one without `e2e`).
    var endToEnd: @Sendable (ControlSession) throws -> EndToEndChannels? = { _ in nil }
    /// The most live messages held while the channel's keys are fetched; beyond it they are shown
    /// as they can be read now.
    static let heldWhileFetchingKeys = 1_000
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
        let (first, replayFrom) = state.joined(nowMs: EpochClock.nowMs())
        if first {
            // A note, not a result: stdout carries only the channel's lines.
            Output.note("tailing #\(channel) as \(session.path) — Ctrl-C to stop")
        } else {
            Output.note("✓ reconnected; resuming #\(channel)")
        }
        // Keys before history: an encrypted channel's backlog opens with what was shared.
        let channels = try await encryptedChannel(on: &session)
        if let replayFrom {
            try await session.send(.readSince(channel: channel, sinceMs: replayFrom))
        }
        var notice: String?
        let channel = channel
        let opener = PayloadOpener(trust: trust(session), endToEnd: channels)
        // Live posts whose key was not here yet, held (with everything after them, to keep the
        // order) until the channel's keys are fetched again.
        var held: [(ReceivedMessage, Provenance, Int64)] = []
        _ = try await session.stream(pingEvery: pingInterval, silenceLimit: silenceLimit) { session, frame -> Never? in
            if let message = ReceivedMessage(frame) {
                let now = EpochClock.nowMs()
                let provenance = opener.provenance(of: message, nowMs: now)
                switch message.target {
                case let .channel(name):
                    if channels != nil, held.count < Self.heldWhileFetchingKeys, !held.isEmpty || opener.lacksKey(for: message) {
                        held.append((message, provenance, now))
                        if held.count == 1 { try await session.send(.channelKeysQuery(channel: channel)) }
                        return nil
                    }
                    let opened = opener.open(message)
                    let lines = state.withFeed {
                        $0.live(channel: name, from: message.from, payload: message.payload, provenance: provenance, opened: opened, nowMs: now)
                    }
                    for line in lines { try emit(try printer.line(for: line)) }
                case .session:
                    if let text = ServerNotice.text(from: message.from, payload: message.payload, declaredSender: session.noticeSender) {
                        // Something happened to this session; find out whether it still receives the channel.
                        Output.note("⚠ \(url): \(TerminalText.sanitized(text))")
                        notice = text
                        try await session.send(.who(channel: channel))
                    } else {
                        try emit(try printer.whisperLine(from: message.from, payload: message.payload, provenance: provenance, timeMs: now))
                    }
                }
                return nil
            }
            if case let .channelKeys(keyChannel, keys) = frame, let channels {
                for refusal in (try? channels.accept(keys, in: keyChannel)) ?? [] { Output.note("⚠ \(TerminalText.sanitized(refusal))") }
                let released = held
                held = []
                for (message, provenance, at) in released {
                    guard let name = message.channel else { continue }
                    let opened = opener.open(message)
                    let lines = state.withFeed {
                        $0.live(channel: name, from: message.from, payload: message.payload, provenance: provenance, opened: opened, nowMs: at)
                    }
                    for line in lines { try emit(try printer.line(for: line)) }
                }
                return nil
            }
            let page: (channel: String, entries: [(message: HistoryMessage, provenance: Provenance, opened: OpenedPayload?)])?
            switch frame {
            case let .history(historyChannel, messages):
                page = (historyChannel, messages.map { entry in
                    (entry, opener.trust == nil ? MessageTrust.withoutSignatures : TailFeed.unsigned,
                     opener.open(entry.payload, in: historyChannel, from: entry.from))
                })
            case let .signedHistory(historyChannel, messages):
                let now = EpochClock.nowMs()
                page = (historyChannel, messages.map { entry in
                    (entry.message, opener.provenance(of: entry, in: historyChannel, nowMs: now),
                     opener.open(entry.message.payload, in: historyChannel, from: entry.message.from))
                })
            default:
                page = nil
            }
            if let page {
                let (lines, step) = state.withFeed { $0.history(channel: page.channel, entries: page.entries) }
                for message in lines { try emit(try printer.line(for: message)) }
                if case let .readMore(since) = step {
                    try await session.send(.readSince(channel: channel, sinceMs: since))
                }
                return nil
            }
            switch frame {
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

    /// For a connection that speaks `e2e`: announces this machine's key (so members seal channel
    /// keys to it) and, when the channel is end-to-end encrypted, takes the keys shared with this
    /// machine. Returns the channel keys to open its posts with (`nil`: not encrypted here).
    private func encryptedChannel(on session: inout ControlSession) async throws -> EndToEndChannels? {
        guard let channels = try endToEnd(session) else { return nil }
        _ = try await session.request(channels.announcement(nowMs: EpochClock.nowMs()))
        guard case let .encryptedChannels(names) = try await session.request(.listEncrypted), names.contains(channel) else { return nil }
        if case let .channelKeys(_, keys) = try await session.request(.channelKeysQuery(channel: channel)) {
            for refusal in try channels.accept(keys, in: channel) { Output.note("⚠ \(TerminalText.sanitized(refusal))") }
        }
        return channels
    }

    /// Writes a line to stdout; a failed write ends `tail` (a closed pipe ends it through SIGPIPE).
    private func emit(_ line: String) throws {
        do {
            try Output.line(line)
        } catch let error as CLIError {
            throw Fatal(error: error)
        }
    }
}
