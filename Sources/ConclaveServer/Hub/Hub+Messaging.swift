import ConclaveProtocol
import NIOCore

extension Hub {
    /// Stores the post, then hands one encoding of it to every other subscriber.
    func post(_ payload: Payload, to channel: String, session: ServerSession) async throws -> ProtocolMessage {
        guard presence.isSubscribed(session.path, to: channel) else { throw Refusal.notMember(channel) }
        do {
            try await store.appendMessage(channel: channel, sender: session.path.description, payload: payload.wireBytes, tsMs: wallClock())
        } catch {
            logger.warning("history write failed, delivering live only", metadata: ["channel": "\(channel)", "error": "\(error)"])
        }
        let frame = ByteBuffer(bytes: ProtocolMessage.channelMessage(channel: channel, from: session.path, payload: payload).wireBytes)
        for subscriber in presence.subscribers(of: channel) where subscriber !== session {
            deliver(frame, to: subscriber)
        }
        return .ack(detail: nil)
    }

    func whisper(_ payload: Payload, to target: SessionPath, session: ServerSession) throws -> ProtocolMessage? {
        guard let recipient = presence.session(at: target) else { throw Refusal.offline(target) }
        let frame = ByteBuffer(bytes: ProtocolMessage.whisper(from: session.path, target: target, payload: payload).wireBytes)
        if recipient === session {
            // To oneself: the whisper precedes the Ack, on the same queue, as in the reference.
            _ = session.queue.offer(frame)
        } else {
            deliver(frame, to: recipient)
        }
        return .ack(detail: nil)
    }

    /// One page of history after `sinceMs`, oldest first.
    ///
    /// A page never ends in the middle of a millisecond (gap G13): paging by the last `ts_ms`
    /// therefore never skips a message. If one millisecond alone holds more than a page, the page
    /// carries that whole millisecond.
    func readSince(_ channel: String, sinceMs: Int64, session: ServerSession) async throws -> ProtocolMessage {
        guard presence.isSubscribed(session.path, to: channel) else { throw Refusal.notMember(channel) }
        let limit = settings.historyPageLimit
        var rows = try await store.messages(in: channel, after: sinceMs, limit: limit + 1)
        var cut = min(rows.count, limit)
        var bytes = 0
        for (index, row) in rows.prefix(cut).enumerated() {
            bytes += row.payload.count + row.sender.utf8.count + 16
            if bytes > settings.historyPageBytes {
                cut = max(index, 1)
                break
            }
        }
        if cut < rows.count {
            let boundary = rows[cut - 1].tsMs
            if rows[cut].tsMs == boundary {
                let whole = rows.prefix(cut).filter { $0.tsMs < boundary }
                if whole.isEmpty {
                    // The entire page shares one millisecond: return all of it.
                    rows = try await store.messages(in: channel, after: boundary - 1, limit: Int.max / 2).filter { $0.tsMs == boundary }
                    cut = rows.count
                } else {
                    cut = whole.count
                }
            }
        }
        let messages = rows.prefix(cut).compactMap { row -> HistoryMessage? in
            guard let from = try? SessionPath(parsing: row.sender), let payload = try? Payload(wireBytes: row.payload) else {
                return nil
            }
            return HistoryMessage(from: from, tsMs: row.tsMs, payload: payload)
        }
        return .history(channel: channel, messages: messages)
    }
}
