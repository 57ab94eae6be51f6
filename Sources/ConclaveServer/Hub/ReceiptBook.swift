import ConclaveProtocol

/// The receipts of recent messages whose senders asked for them (the `receipts` extension):
/// per message, its sender and each recipient session's latest state.
///
/// Kept in memory and bounded: at most ``messageLimit`` messages (the oldest is forgotten
/// first), ``recipientLimit`` recipients each, and nothing older than ``lifetimeMs``. A restart
/// forgets them; the messages themselves are in the store.
struct ReceiptBook {
    struct Entry {
        let sender: SessionPath
        let createdMs: Int64
        var records: [SessionPath: ReceiptRecord] = [:]
        /// Recipients beyond the limit, counted only.
        var unrecorded = 0
    }

    static let messageLimit = 20_000
    static let recipientLimit = 256
    static let lifetimeMs: Int64 = 24 * 3600 * 1000
    static let detailLimit = 200

    private(set) var entries: [UInt64: Entry] = [:]
    /// Ids in the order they were opened, for eviction; `head` is the oldest still counted.
    private var order: [UInt64] = []
    private var head = 0

    /// Starts the receipts of message `id` from `sender`.
    mutating func open(_ id: UInt64, sender: SessionPath, nowMs: Int64) {
        guard entries[id] == nil else { return }
        entries[id] = Entry(sender: sender, createdMs: nowMs)
        order.append(id)
        while entries.count > Self.messageLimit, head < order.count {
            entries[order[head]] = nil
            head += 1
        }
        if head > 4096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }

    /// Records a state the server set (relayed, held, expired); returns the record to tell the
    /// sender about, or `nil` when nothing changed.
    mutating func set(_ id: UInt64, recipient: SessionPath, state: ReceiptState, nowMs: Int64, detail: String? = nil) -> ReceiptRecord? {
        guard var entry = entries[id] else { return nil }
        if entry.records[recipient] == nil, entry.records.count >= Self.recipientLimit {
            entry.unrecorded += 1
            entries[id] = entry
            return nil
        }
        let record = ReceiptRecord(recipient: recipient, state: state, atMs: nowMs, detail: detail)
        guard entry.records[recipient] != record else { return nil }
        entry.records[recipient] = record
        entries[id] = entry
        return record
    }

    /// A state a recipient reported: accepted only from a session the message was handed to,
    /// for a reportable state, and never going back (an acked message stays acked). Returns
    /// the sender and the record to tell it about.
    mutating func report(
        _ id: UInt64, from recipient: SessionPath, state: ReceiptState, detail: String?, nowMs: Int64
    ) -> (sender: SessionPath, record: ReceiptRecord)? {
        guard state.isReportable, let entry = entries[id], let current = entry.records[recipient] else { return nil }
        guard current.state != .acked, state.progress >= current.state.progress, current.state != state else { return nil }
        let record = ReceiptRecord(recipient: recipient, state: state, atMs: nowMs, detail: detail.map(Self.clean))
        entries[id]?.records[recipient] = record
        return (entry.sender, record)
    }

    /// The records of message `id` for a session of `user`; `nil` when there is no such message
    /// of that user's (someone else's message is not revealed to exist).
    func records(of id: UInt64, askedBy user: String) -> [ReceiptRecord]? {
        guard let entry = entries[id], entry.sender.user == user else { return nil }
        return entry.records.values.sorted { ($0.recipient.description, $0.atMs) < ($1.recipient.description, $1.atMs) }
    }

    /// Forgets entries older than the lifetime.
    mutating func expire(nowMs: Int64) {
        entries = entries.filter { nowMs - $0.value.createdMs < Self.lifetimeMs }
        order = order[head...].filter { entries[$0] != nil }
        head = 0
    }

    /// A reported detail, cut to ``detailLimit`` characters, without controls.
    static func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.properties.generalCategory != .control && $0.properties.generalCategory != .format }
            .prefix(detailLimit).map(Character.init))
    }
}
