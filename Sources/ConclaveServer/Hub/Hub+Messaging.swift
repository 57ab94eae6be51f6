import ConclaveProtocol
import ConclaveStorage
import ConclaveTransport
import Foundation
import Tracing

extension Hub {
    /// The one way a post enters the hub: admitted into the next commit batch without waiting
    /// for it, or refused (logged and counted like any refusal). ``reply(to:)`` gives the `Ack`
    /// once the post is durable.
    ///
    /// Sessions pipeline their posts through this (`SessionRunner`): a publisher's consecutive
    /// posts, and concurrent posts of many sessions, share one transaction, while each `Ack` still
    /// follows its own commit. ``handle(_:from:)`` takes the same path for a post it is given.
    func submitPost(
        _ payload: Payload, signature: MessageSignature? = nil, to channel: String, from session: ServerSession
    ) -> Result<PendingPost, ProtocolError> {
        do {
            return .success(try admitPost(payload, signature: signature, to: channel, session: session))
        } catch {
            return .failure(refusal(for: error, from: session, frame: signature == nil ? "ChannelMessage" : "SignedPost"))
        }
    }

    private func admitPost(_ payload: Payload, signature: MessageSignature?, to channel: String, session: ServerSession) throws -> PendingPost {
        guard presence.isSubscribed(session.path, to: channel) else { throw Refusal.notMember(channel) }
        try checkSignature(signature, from: session)
        try checkEncryption(of: payload, in: channel)
        let bytes = payload.wireBytes
        try checkBodySize(bytes.count)
        if let refusal = limiters.admitPost(from: session.path, now: .now) { throw refusal }
        postedSinceTrim.insert(channel)
        // Unique per channel: at most one message per millisecond of a channel's history, so
        // `since`-pagination (PROTOCOL.md §6) never splits or repeats a millisecond.
        let stamp = max(wallClock(), (lastStamps[channel] ?? .min) &+ 1)
        lastStamps[channel] = stamp
        let id = Self.newMessageID()
        let post = PendingPost(
            message: NewMessage(
                channel: channel, sender: session.path.description, payload: bytes, tsMs: stamp,
                receiptID: id, signature: signature?.wireBytes),
            payload: payload, signature: signature, sender: session, id: id)
        uncommittedPosts.append(post)
        metrics.posts.increment()
        return post
    }

    /// The reply to an admitted post, once its batch is committed.
    ///
    /// Group commit without a background task: whoever asks while no batch is being written
    /// writes one, and when a batch ends a waiter for a later post is nudged to write the next.
    func reply(to post: PendingPost) async -> ProtocolMessage {
        while true {
            if let reply = post.reply { return reply }
            if !committingPosts, !uncommittedPosts.isEmpty {
                await commitPostBatch()
                continue
            }
            await post.wait()
        }
    }

    /// Writes the oldest uncommitted posts in one transaction, then delivers them in order and
    /// completes them: nothing reaches a subscriber that is not stored (an `Ack` means persisted).
    private func commitPostBatch() async {
        committingPosts = true
        let count = min(uncommittedPosts.count, settings.commitBatchLimit)
        let span = startSpan("conclave.commit")
        span.attributes["conclave.posts"] = count
        defer { span.end() }
        let batch = Array(uncommittedPosts.prefix(count))
        uncommittedPosts.removeFirst(count)
        let outcome: Result<[AppendedMessage?], StoreError>
        do {
            outcome = .success(try await metrics.timed(.appendMessages) { () async throws(StoreError) in
                try await store.appendMessages(batch.map(\.message))
            })
        } catch {
            outcome = .failure(error)
        }
        committingPosts = false
        switch outcome {
        case let .success(appended):
            // Every recipient's frames from this commit reach its event loop together, after the
            // loop below (which does not suspend without a cluster): one hop per loop, one flush
            // per connection. Replies are set after that, so whatever a sender does next sees its
            // posts delivered.
            var deliveries = DeliveryBatch()
            var replies: [(PendingPost, ProtocolMessage)] = []
            replies.reserveCapacity(batch.count)
            for (post, landed) in zip(batch, appended) {
                if let landed, landed.tsMs > (lastStamps[post.message.channel] ?? .min) {
                    // Another instance wrote later stamps into this channel.
                    lastStamps[post.message.channel] = landed.tsMs
                }
                let tracked = post.sender.speaksReceipts
                if tracked { receipts.open(post.id, sender: post.sender.path, nowMs: wallClock()) }
                if cluster != nil, let landed {
                    // Through the sequencer: a message another instance committed just before
                    // this one must reach local subscribers first.
                    let message = ChannelSequencer.Message(
                        seq: landed.seq, from: post.message.sender, payload: post.message.payload, receiptID: post.id,
                        signature: post.message.signature)
                    await sequence(sequencer.receive(channelID: landed.channelID, channel: post.message.channel, message))
                } else {
                    fanOut(
                        RelayedPost(channel: post.message.channel, from: post.sender.path, payload: post.payload, signature: post.signature),
                        id: post.id, excluding: .session(post.sender), tracked: tracked, into: &deliveries)
                }
                replies.append((post, tracked ? .posted(id: post.id) : .ack(detail: nil)))
            }
            deliveries.send()
            for (post, reply) in replies { post.complete(reply) }
        case let .failure(error):
            // Not stored, so not delivered either: the sender learns it failed and may retry.
            logger.error("history write failed; posts refused", metadata: ["posts": "\(batch.count)", "error": "\(error)"])
            span.recordError(error)
            for post in batch { post.complete(.error(Refusal.storage)) }
        }
        // Every waiter looks again; the first to reach the hub writes the next batch. Nudging only
        // one could pick a session whose acknowledger is stuck behind its own unread replies.
        for post in uncommittedPosts { post.nudge() }
    }

    /// Who a fan-out skips: the sending session itself (a local post), or whoever is on the
    /// sender's path here (a post from another instance).
    enum FanOutSender {
        case session(ServerSession)
        case path(SessionPath)

        func matches(_ subscriber: ServerSession) -> Bool {
            switch self {
            case let .session(sender): subscriber === sender
            case let .path(path): subscriber.path == path
            }
        }
    }

    /// A channel message on its way to subscribers.
    struct RelayedPost {
        var channel: String
        var from: SessionPath
        var payload: Payload
        var signature: MessageSignature?
    }

    /// Hands a channel message to every local subscriber but its sender, through `batch`: one
    /// encoding per form (plain, tagged with its id for `receipts`, signed for `signatures`),
    /// each made once.
    func fanOut(_ post: RelayedPost, id: UInt64, excluding sender: FanOutSender, tracked: Bool, into batch: inout DeliveryBatch) {
        let (channel, from, payload) = (post.channel, post.from, post.payload)
        var plain: EncodedFrame?
        var tagged: EncodedFrame?
        var signed: EncodedFrame?
        var signedTagged: EncodedFrame?
        var delivered = 0
        // One counter update per message, not per recipient.
        defer { metrics.deliveries.increment(by: delivered) }
        for subscriber in presence.subscribers(of: channel) where !sender.matches(subscriber) {
            let frame: EncodedFrame
            if let signature = post.signature, subscriber.speaksSignatures {
                // The id only for a session that can use it (`receipts`); 0 for the others.
                if subscriber.speaksReceipts {
                    frame = signedTagged ?? EncodedFrame(ProtocolMessage.signedChannelMessage(
                        id: id, channel: channel, from: from, payload: payload, signature: signature))
                    signedTagged = frame
                } else {
                    frame = signed ?? EncodedFrame(ProtocolMessage.signedChannelMessage(
                        id: 0, channel: channel, from: from, payload: payload, signature: signature))
                    signed = frame
                }
            } else if subscriber.speaksReceipts, id != 0 {
                frame = tagged ?? EncodedFrame(ProtocolMessage.taggedChannelMessage(id: id, channel: channel, from: from, payload: payload))
                tagged = frame
            } else {
                frame = plain ?? EncodedFrame(ProtocolMessage.channelMessage(channel: channel, from: from, payload: payload))
                plain = frame
            }
            guard deliver(frame, to: subscriber, into: &batch) else { continue }
            delivered += 1
            if tracked { recordRelayed(id, to: subscriber, tell: false) }
        }
    }

    /// Refuses a signature from a session that did not agree to `signatures`, one whose fields
    /// have the wrong lengths (it could never verify, and would only take room), and one naming a
    /// key other than the one the session proved at the handshake (so an honest server never
    /// relays a record that would mislead a recipient's first pin). The signature itself is the
    /// recipients' to check: trusting the server is what it replaces.
    private func checkSignature(_ signature: MessageSignature?, from session: ServerSession) throws {
        guard let signature else { return }
        guard session.speaksSignatures else { throw Refusal.unexpectedFrame }
        guard signature.isWellFormed else {
            throw ProtocolError.malformedFrame(
                "a signature has a \(MessageSignature.nonceByteCount)-byte nonce, a \(MessageSignature.publicKeyByteCount)-byte key "
                    + "and \(MessageSignature.signatureByteCount) bytes")
        }
        if let key = session.machineKey, key != signature.publicKey {
            throw ProtocolError.unauthorized("a signed message must name the key this session signed in with")
        }
    }

    func whisper(_ payload: Payload, signature: MessageSignature? = nil, to target: SessionPath, session: ServerSession) async throws -> ProtocolMessage? {
        try checkSignature(signature, from: session)
        try checkBodySize(payload.wireBytes.count)
        if let refusal = limiters.admitWhisper(from: session.path, now: .now) { throw refusal }
        metrics.whispers.increment()
        guard let recipient = presence.session(at: target) else {
            return try await whisperElsewhere(payload, signature: signature, to: target, session: session)
        }
        // An id only when someone will see it.
        let id = session.speaksReceipts || recipient.speaksReceipts ? Self.newMessageID() : 0
        if session.speaksReceipts { receipts.open(id, sender: session.path, nowMs: wallClock()) }
        let frame = Self.whisperFrame(id: id, from: session.path, target: target, payload: payload, signature: signature, for: recipient)
        if recipient === session {
            // To oneself: the whisper precedes the Ack, on the same queue, as in the reference.
            _ = session.output.offer(frame)
        } else {
            deliver(frame, to: recipient)
        }
        guard session.speaksReceipts else { return .ack(detail: nil) }
        recordRelayed(id, to: recipient)
        return .posted(id: id)
    }

    /// A whisper for a session on another instance, sent on the bus; refused as offline when no
    /// instance has the target. The sender learns it was relayed, not that it arrived.
    private func whisperElsewhere(
        _ payload: Payload, signature: MessageSignature?, to target: SessionPath, session: ServerSession
    ) async throws -> ProtocolMessage? {
        guard let cluster, try await cluster.directory.entry(at: target.description) != nil else { throw Refusal.offline(target) }
        let id = Self.newMessageID()
        await publish(.whisper(
            target: target.description, from: session.path.description, payload: Data(payload.wireBytes), receiptID: id,
            signature: signature.map { Data($0.wireBytes) }))
        return session.speaksReceipts ? .posted(id: id) : .ack(detail: nil)
    }

    /// Refuses a body over the configured maximum (counted as its encoded payload).
    func checkBodySize(_ bytes: Int) throws {
        if let limit = settings.limits.maxBodyBytes, bytes > limit {
            metrics.limitTripped(.maxBody)
            throw Refusal.bodyTooLarge(bytes, limit: limit)
        }
    }

    /// One page of history after `sinceMs`, oldest first.
    ///
    /// A page never ends in the middle of a millisecond (gap G13): paging by the last `ts_ms`
    /// therefore never skips a message. If one millisecond alone holds more than a page, the page
    /// carries that whole millisecond.
    /// A `signatures` session gets the page as `SignedHistory`, with each message's signature.
    func readSince(_ channel: String, sinceMs: Int64, session: ServerSession) async throws -> ProtocolMessage {
        guard presence.isSubscribed(session.path, to: channel) else { throw Refusal.notMember(channel) }
        let limit = settings.historyPageLimit
        let span = startSpan("conclave.read_history")
        defer { span.end() }
        let rows = try await metrics.timed(.readHistory) { try await store.messages(in: channel, after: sinceMs, limit: limit + 1) }
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
                // Only data written before stamps were unique per channel can share a
                // millisecond. The page ends before it when it can; a page made of one such
                // millisecond stays within the page's count and byte bounds, and the rest of that
                // millisecond is skipped rather than fetched without a bound.
                let whole = rows.prefix(cut).filter { $0.tsMs < boundary }
                if !whole.isEmpty { cut = whole.count }
            }
        }
        let messages = rows.prefix(cut).compactMap { row -> SignedHistoryMessage? in
            guard let from = try? SessionPath(parsing: row.sender), let payload = try? Payload(wireBytes: row.payload) else {
                return nil
            }
            return SignedHistoryMessage(
                message: HistoryMessage(from: from, tsMs: row.tsMs, payload: payload),
                signature: row.signature.flatMap { try? MessageSignature(wireBytes: $0) })
        }
        guard session.speaksSignatures else { return .history(channel: channel, messages: messages.map(\.message)) }
        return .signedHistory(channel: channel, messages: messages)
    }
}
