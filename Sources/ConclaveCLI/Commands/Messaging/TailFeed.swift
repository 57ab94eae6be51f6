import ConclaveClient
import ConclaveProtocol

/// The ordering and de-duplication rules of `tail`, without any I/O, so they can be tested alone.
///
/// - The backlog is printed before live lines: live messages that arrive while history pages are
///   still coming are held, and released once the backlog is complete (CLI gap 8f).
/// - A live message that also shows up in the backlog is printed once, at its place in history.
/// - After a reconnect, history is replayed from a little before the last message seen; lines
///   printed before the drop are recognised and not printed again, so a resume neither loses nor
///   repeats lines (gaps 8f, 8g).
/// - `--since` replays every page of the backlog, not just the first (gap 8e).
struct TailFeed {
    /// A line to print.
    struct Message: Equatable {
        var channel: String
        var from: SessionPath
        var payload: Payload
        /// Server time for history, receive time for live messages (ms since the epoch).
        var timeMs: Int64
        /// Whether it came from the backlog.
        var replayed: Bool
        /// What its signature says about who wrote it (not part of its identity: a message seen
        /// live and again in history is one message).
        var provenance: Provenance = TailFeed.unsigned
        /// What the payload says when the client layer opened it beyond ``PayloadOpener`` (an
        /// end-to-end encrypted post, decrypted or not); `nil`: open it as usual.
        var opened: OpenedPayload?
    }

    /// The verdict for a message that carried no signature.
    static let unsigned = Provenance.unverified(reason: "not signed")

    /// What to do after a history page.
    enum Step: Equatable {
        /// Ask for the next page, after this server timestamp.
        case readMore(sinceMs: Int64)
        /// The backlog is complete.
        case caughtUp
    }

    /// How far before the last message seen a reconnect's replay starts, to absorb clock
    /// differences between this machine and the server. The first replay (`--since`) starts
    /// exactly where it was asked to.
    static let slackMs: Int64 = 10_000
    /// How many printed lines are remembered for de-duplication.
    static let memory = 4_096

    /// Where the next connection's replay starts (`nil`: no replay).
    private(set) var resumeFromMs: Int64?
    /// Messages older than this are never printed (the start of a live-only tail).
    private let floorMs: Int64?
    private(set) var isReplaying = false
    /// Whether no connection has replayed yet: `--since` is then taken exactly.
    private var firstReplay = true
    private var held: [Message] = []
    private var printed: [(fingerprint: Int, timeMs: Int64)] = []
    private var alreadyPrinted: [Int: Int] = [:]

    /// A feed that replays from `sinceMs` (`--since`), or a live-only one starting at `nowMs`.
    init(sinceMs: Int64?, nowMs: Int64) {
        resumeFromMs = sinceMs
        floorMs = sinceMs == nil ? nowMs : nil
    }

    /// A connection joined the channel; returns where to replay from, if anywhere.
    mutating func connected(nowMs: Int64) -> Int64? {
        guard let resume = resumeFromMs else {
            // Live only: from now on, a reconnect replays what it missed.
            resumeFromMs = nowMs
            firstReplay = false
            return nil
        }
        let start = firstReplay ? resume : resume - Self.slackMs
        firstReplay = false
        alreadyPrinted = [:]
        for entry in printed where entry.timeMs >= start {
            alreadyPrinted[entry.fingerprint, default: 0] += 1
        }
        held = []
        isReplaying = true
        return start
    }

    /// A live message; returns what to print now (nothing while the backlog is still arriving).
    mutating func live(
        channel: String, from: SessionPath, payload: Payload, provenance: Provenance = TailFeed.unsigned, opened: OpenedPayload? = nil,
        nowMs: Int64
    ) -> [Message] {
        let message = Message(
            channel: channel, from: from, payload: payload, timeMs: nowMs, replayed: false, provenance: provenance, opened: opened)
        if isReplaying {
            held.append(message)
            return []
        }
        remember(message)
        return [message]
    }

    /// A history page; returns what to print and whether to ask for more.
    mutating func history(channel: String, messages: [HistoryMessage]) -> (print: [Message], next: Step) {
        history(channel: channel, entries: messages.map { ($0, Self.unsigned, nil) })
    }

    /// A history page, each message with what its signature says; returns what to print and
    /// whether to ask for more.
    mutating func history(
        channel: String, entries: [(message: HistoryMessage, provenance: Provenance, opened: OpenedPayload?)]
    ) -> (print: [Message], next: Step) {
        guard let last = entries.last?.message else {
            isReplaying = false
            alreadyPrinted = [:]
            let released = held
            held = []
            for message in released { remember(message) }
            return (released, .caughtUp)
        }
        var output: [Message] = []
        for (entry, provenance, opened) in entries {
            let message = Message(
                channel: channel, from: entry.from, payload: entry.payload, timeMs: entry.tsMs, replayed: true, provenance: provenance,
                opened: opened)
            let fingerprint = Self.fingerprint(message)
            if let index = held.firstIndex(where: { Self.fingerprint($0) == fingerprint }) {
                held.remove(at: index)
            } else if let count = alreadyPrinted[fingerprint], count > 0 {
                alreadyPrinted[fingerprint] = count - 1
                continue
            } else if let floorMs, entry.tsMs < floorMs {
                continue
            }
            remember(message)
            output.append(message)
        }
        return (output, .readMore(sinceMs: last.tsMs))
    }

    private mutating func remember(_ message: Message) {
        printed.append((Self.fingerprint(message), message.timeMs))
        if printed.count > Self.memory { printed.removeFirst(printed.count - Self.memory) }
        resumeFromMs = max(resumeFromMs ?? message.timeMs, message.timeMs)
    }

    private static func fingerprint(_ message: Message) -> Int {
        var hasher = Hasher()
        hasher.combine(message.channel)
        hasher.combine(message.from)
        hasher.combine(message.payload)
        return hasher.finalize()
    }
}
