import ConclaveProtocol
import ConclaveTransport

/// The `receipts` extension: message ids, each recipient's state reported back to the sender,
/// and whispers held for a session that is not connected yet.
extension Hub {
    /// A fresh message id: random, so instances need no coordination, and below 2^53, so every
    /// JSON reader keeps it exact.
    static func newMessageID() -> UInt64 {
        UInt64.random(in: 1...(1 << 53))
    }

    /// A whisper as `recipient` reads it: signed when it was and the recipient speaks
    /// `signatures`, else tagged with its id when the recipient speaks `receipts`.
    static func whisperFrame(
        id: UInt64, from: SessionPath, target: SessionPath, payload: Payload, signature: MessageSignature?, for recipient: ServerSession
    ) -> EncodedFrame {
        if let signature, recipient.speaksSignatures {
            let shown = recipient.speaksReceipts ? id : 0
            return EncodedFrame(ProtocolMessage.signedWhisperMessage(id: shown, from: from, target: target, payload: payload, signature: signature))
        }
        return recipient.speaksReceipts
            ? EncodedFrame(ProtocolMessage.taggedWhisper(id: id, from: from, target: target, payload: payload))
            : EncodedFrame(ProtocolMessage.whisper(from: from, target: target, payload: payload))
    }

    /// Notes that message `id` was handed to `recipient`. A recipient that does not speak
    /// `receipts` will report nothing more, and the record says so. `tell` pushes the record to
    /// the sender; a channel post does not (one update per subscriber per post would multiply
    /// the sender's traffic by the channel's size), and `ReceiptList` shows them.
    func recordRelayed(_ id: UInt64, to recipient: ServerSession, tell: Bool = true) {
        let detail = recipient.speaksReceipts ? nil : "its client does not report receipts"
        if let record = receipts.set(id, recipient: recipient.path, state: .relayed, nowMs: wallClock(), detail: detail), tell {
            tellSender(of: id, record)
        }
    }

    /// Sends a record to the message's sender session, if it is connected and speaks `receipts`.
    private func tellSender(of id: UInt64, _ record: ReceiptRecord, sender: SessionPath? = nil) {
        guard let path = sender ?? receipts.entries[id]?.sender, let session = presence.session(at: path), session.speaksReceipts
        else { return }
        deliver(EncodedFrame(ProtocolMessage.receiptUpdate(id: id, record: record)), to: session)
    }

    /// A recipient's report. Reports about unknown messages, from sessions the message was not
    /// handed to, or going backwards are dropped without a word (no reply either way).
    func acceptReceipt(_ id: UInt64, state: ReceiptState, detail: String?, from session: ServerSession) throws {
        guard session.speaksReceipts else { throw Refusal.unexpectedFrame }
        guard let (sender, record) = receipts.report(id, from: session.path, state: state, detail: detail, nowMs: wallClock()) else { return }
        tellSender(of: id, record, sender: sender)
    }

    /// Every recipient's state for one of the asking user's messages.
    func receiptList(_ id: UInt64, session: ServerSession) throws -> ProtocolMessage {
        guard session.speaksReceipts else { throw Refusal.unexpectedFrame }
        guard let records = receipts.records(of: id, askedBy: session.user) else {
            throw ProtocolError.notFound("no receipts for message \(id) of yours (they are kept for 24 h, and not across a server restart)")
        }
        return .receiptList(id: id, records: records)
    }

    /// A whisper that waits up to `holdSeconds` for its target to connect; delivered at once if
    /// it is connected.
    func holdWhisper(
        _ payload: Payload, signature: MessageSignature? = nil, to target: SessionPath, holdSeconds: UInt32, session: ServerSession
    ) async throws -> ProtocolMessage? {
        guard session.speaksReceipts else { throw Refusal.unexpectedFrame }
        if presence.session(at: target) != nil {
            return try await whisper(payload, signature: signature, to: target, session: session)
        }
        if let cluster, try await cluster.directory.entry(at: target.description) != nil {
            return try await whisper(payload, signature: signature, to: target, session: session)
        }
        try checkBodySize(payload.wireBytes.count)
        if let refusal = limiters.admitWhisper(from: session.path, now: .now) { throw refusal }
        metrics.whispers.increment()
        let seconds = min(max(holdSeconds, 1), HeldWhispers.longestHoldSeconds)
        let id = Self.newMessageID()
        let now = wallClock()
        let held = HeldWhispers.Held(
            id: id, from: session.path, target: target, payload: payload, signature: signature, expiresMs: now + Int64(seconds) * 1000)
        guard heldWhispers.hold(held) else {
            throw ProtocolError.unauthorized(
                "too many held whispers (at most \(HeldWhispers.perUserLimit) per user, \(HeldWhispers.totalLimit) in all); "
                    + "try again when some are delivered or expire")
        }
        receipts.open(id, sender: session.path, nowMs: now)
        _ = receipts.set(id, recipient: target, state: .held, nowMs: now, detail: "recipient offline; held for \(seconds) s")
        return .posted(id: id)
    }

    /// Delivers the whispers held for a session that just connected.
    func releaseHeldWhispers(to session: ServerSession) {
        for held in heldWhispers.take(for: session.path) {
            deliver(
                Self.whisperFrame(id: held.id, from: held.from, target: held.target, payload: held.payload, signature: held.signature, for: session),
                to: session)
            recordRelayed(held.id, to: session)
        }
    }

    /// Ends the holds that ran out, telling their senders; forgets old receipts.
    func expireHeldWhispers() {
        let now = wallClock()
        for held in heldWhispers.takeExpired(nowMs: now) {
            if let record = receipts.set(held.id, recipient: held.target, state: .expired, nowMs: now, detail: "recipient did not connect in time") {
                tellSender(of: held.id, record)
            }
        }
        receipts.expire(nowMs: now)
    }
}
