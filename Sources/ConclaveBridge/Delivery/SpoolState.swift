import ConclaveProtocol
import Foundation

/// The contents of one session's delivery spool: the messages waiting for a hook, and the small
/// amount of bookkeeping the hooks share (which waiter is current, how many `Stop`s in a row
/// were turned into another model call).
public struct SpoolState: Sendable, Hashable {
    /// Messages not yet handed to the model, oldest first.
    public var pending: [InboundMessage] = []
    /// Messages dropped by the bound since the last drain.
    public var dropped = 0
    /// The next message number.
    public var nextNumber = 1
    /// The bridge process writing to the spool.
    public var bridgePID: Int32 = 0
    /// The Claude Code process the spool belongs to (the bridge's parent).
    public var clientPID: Int32 = 0
    /// That process's start time, so a reused PID is not taken for the same session.
    public var clientStart: String?
    /// `CLAUDE_CODE_SESSION_ID` as the bridge saw it.
    public var sessionID: String?
    /// The generation of the current background waiter; an older waiter sees a newer number
    /// and ends.
    public var waiter = 0
    /// Turns started without the human since the last prompt: `Stop` hooks that kept the agent
    /// going, and wakes by the waiter. Claude Code counts both as Stop-hook blocks and ignores
    /// any past its cap, so a message drained for one more would be lost.
    public var continuations = 0
    /// The messages the last wake offered, until the rewake turn's prompt confirms them: Claude
    /// Code can ignore a wake, and an unconfirmed batch goes back to the model by the next hook.
    public var offered: [InboundMessage] = []
    /// The token in the offered batch's text, which the rewake turn's prompt carries.
    public var offerToken: String?
    /// When the batch was offered (ms since the epoch).
    public var offeredAtMs: Int64 = 0
    /// Whether a turn is running (from a prompt to a `Stop` that ends it): the waiter never
    /// wakes a busy session; the turn's own hooks deliver.
    public var busy = false
    /// Messages with receipt ids that hooks handed to the model, for the bridge to report as
    /// injected (oldest first, at most ``injectedLimit``).
    public var injected: [InboundReceipt] = []

    /// At most this many messages wait; beyond it the oldest channel message goes first
    /// (`catch_up` can retrieve it), then the oldest of any kind.
    public static let messageLimit = 200
    /// At most this many bytes of messages wait, by the same rule.
    public static let byteLimit = 512 * 1024
    /// The largest spool file read (JSON escaping can grow a body up to six times).
    public static let fileLimit = 4 * 1024 * 1024

    /// An empty spool.
    public init() {}

    /// At most this many injected receipts wait for the bridge.
    public static let injectedLimit = 1000

    /// Adds `message`, then drops what the bounds require.
    public mutating func append(_ message: InboundMessage) {
        nextNumber += 1
        pending.append(message)
        var bytes = pending.reduce(0) { $0 + $1.byteCount }
        while pending.count > Self.messageLimit || (bytes > Self.byteLimit && pending.count > 1) {
            let index = pending.firstIndex { $0.kind == .channel } ?? 0
            bytes -= pending[index].byteCount
            pending.remove(at: index)
            dropped += 1
        }
    }

    /// Offers everything pending to a wake under `token`; the messages move out of `pending`.
    public mutating func offer(token: String, nowMs: Int64) -> (messages: [InboundMessage], dropped: Int) {
        let batch = drain(noting: false)
        offered = batch.messages
        offerToken = token
        offeredAtMs = nowMs
        return batch
    }

    /// Confirms the offered batch: it reached the model.
    public mutating func confirmOffer() {
        note(offered)
        offered = []
        offerToken = nil
    }

    /// Puts an unconfirmed offered batch back in front of what is pending.
    public mutating func withdrawOffer() {
        pending = offered + pending
        offered = []
        offerToken = nil
    }

    /// Takes every pending message (and the dropped count) out of the spool.
    /// The messages with receipt ids are noted as injected for the bridge to report.
    public mutating func drain(noting: Bool = true) -> (messages: [InboundMessage], dropped: Int) {
        defer {
            pending = []
            dropped = 0
        }
        if noting { note(pending) }
        return (pending, dropped)
    }

    /// Notes messages as shown, for the bridge to report them injected.
    private mutating func note(_ messages: [InboundMessage]) {
        for message in messages {
            guard let id = message.receiptID, let server = message.server else { continue }
            injected.append(InboundReceipt(server: server, id: id))
        }
        if injected.count > Self.injectedLimit { injected.removeFirst(injected.count - Self.injectedLimit) }
    }

    // MARK: Encoding

    /// The spool file's bytes.
    public var encoded: [UInt8] {
        var fields: [String: JSONValue] = [
            "v": 1, "pending": .array(pending.map(\.json)), "dropped": .int(Int64(dropped)),
            "next": .int(Int64(nextNumber)), "bridge_pid": .int(Int64(bridgePID)), "client_pid": .int(Int64(clientPID)),
            "waiter": .int(Int64(waiter)), "continuations": .int(Int64(continuations)),
            "injected": .array(injected.map { ["server": .string($0.server), "id": .string(String($0.id))] }),
            "offered": .array(offered.map(\.json)), "offered_at_ms": .int(offeredAtMs), "busy": .bool(busy),
        ]
        if let offerToken { fields["offer_token"] = .string(offerToken) }
        if let clientStart { fields["client_start"] = .string(clientStart) }
        if let sessionID { fields["session_id"] = .string(sessionID) }
        return Array(JSONValue.object(fields).serialized().utf8)
    }

    /// Reads a spool file; `nil` when it is not one (it is then started afresh).
    public init?(decoding bytes: [UInt8]) {
        guard let json = JSONValue(parsing: Data(bytes)), json["v"]?.intValue == 1,
            case let .array(records)? = json["pending"]
        else { return nil }
        pending = records.compactMap(InboundMessage.init(json:))
        dropped = Self.count(json["dropped"])
        nextNumber = max(1, Self.count(json["next"]))
        bridgePID = Int32(clamping: Self.count(json["bridge_pid"]))
        clientPID = Int32(clamping: Self.count(json["client_pid"]))
        waiter = Self.count(json["waiter"])
        continuations = Self.count(json["continuations"])
        clientStart = json["client_start"]?.stringValue
        sessionID = json["session_id"]?.stringValue
        if case let .array(records)? = json["offered"] { offered = records.compactMap(InboundMessage.init(json:)) }
        offerToken = json["offer_token"]?.stringValue
        offeredAtMs = json["offered_at_ms"]?.intValue ?? 0
        busy = json["busy"]?.boolValue ?? false
        if case let .array(receipts)? = json["injected"] {
            injected = receipts.prefix(Self.injectedLimit).compactMap { record in
                guard let server = record["server"]?.stringValue, let id = record["id"]?.stringValue.flatMap({ UInt64($0) }) else { return nil }
                return InboundReceipt(server: server, id: id)
            }
        }
    }

    private static func count(_ value: JSONValue?) -> Int {
        Int(clamping: max(0, value?.intValue ?? 0))
    }
}
