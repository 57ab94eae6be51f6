import ConclaveProtocol
import ConclaveStorage
import ConclaveTransport
import Foundation

/// Several server processes on one store: local sessions stay in ``presence``; what other
/// instances must reflect travels on the bus; cluster-wide questions go to the directory.
extension Hub {
    /// Makes this hub one instance of a cluster; returns the directory changes to apply, in order.
    func joinCluster(_ link: ClusterLink) -> AsyncStream<DirectoryOperation> {
        cluster = link
        let (stream, continuation) = AsyncStream<DirectoryOperation>.makeStream(bufferingPolicy: .unbounded)
        directoryOperations = continuation
        return stream
    }

    /// Records a heartbeat that reached the cluster directory.
    func recordHeartbeat(at instant: ContinuousClock.Instant = .now) {
        lastHeartbeat = instant
    }

    /// Why a load balancer should send new clients elsewhere, or `nil`: on a cluster instance,
    /// no heartbeat reached the shared store for 3 s (its database is unreachable, and the other
    /// instances will soon take it for dead).
    func healthProblem(now: ContinuousClock.Instant = .now) -> String? {
        guard cluster != nil else { return nil }
        guard let lastHeartbeat else { return "not yet registered in the cluster store" }
        let silence = lastHeartbeat.duration(to: now)
        guard silence > .seconds(3) else { return nil }
        return "no heartbeat reached the cluster store for \(silence.components.seconds) s"
    }

    /// Queues a directory change (no-op on a single instance).
    func recordInDirectory(_ operation: DirectoryOperation) {
        directoryOperations?.yield(operation)
    }

    /// Tells the other instances about `event` (no-op on a single instance). A failure is
    /// logged: the change itself is committed, and the others converge when their bus resumes.
    func publish(_ event: ClusterEvent) async {
        guard let cluster else { return }
        do {
            try await cluster.bus.publish(event)
        } catch {
            logger.error("could not tell the other instances", metadata: ["error": "\(error)"])
        }
    }

    /// Hands committed or announced channel messages to the sequencer, and does what it asks.
    func sequence(_ actions: [ChannelSequencer.Action]) async {
        var queue = actions
        while !queue.isEmpty {
            let action = queue.removeFirst()
            switch action {
            case let .deliver(_, channel, messages):
                for message in messages { deliverSequenced(message, in: channel) }
            case let .fetch(channelID, afterSeq, limit):
                let rows: [ChannelSequencer.Message]?
                do {
                    rows = try await store.messages(inChannelID: channelID, afterSeq: afterSeq, limit: limit).map {
                        ChannelSequencer.Message(seq: $0.seq, from: $0.sender, payload: $0.payload, receiptID: 0, signature: $0.signature)
                    }
                } catch {
                    logger.warning("could not read missed channel messages", metadata: ["error": "\(error)"])
                    rows = nil
                }
                queue += sequencer.fetched(channelID: channelID, rows: rows, limit: limit)
            }
        }
    }

    /// Delivers one in-order channel message to this instance's subscribers except its sender.
    private func deliverSequenced(_ message: ChannelSequencer.Message, in channel: String) {
        guard let bytes = message.payload, let payload = try? Payload(wireBytes: bytes),
              let from = try? SessionPath(parsing: message.from)
        else {
            logger.warning("skipped a stored message that does not parse", metadata: ["channel": "\(channel)"])
            return
        }
        let sender = presence.session(at: from)
        let tracked = message.receiptID != 0 && sender?.speaksReceipts == true
        var batch = DeliveryBatch()
        let signature = message.signature.flatMap { try? MessageSignature(wireBytes: $0) }
        fanOut(
            RelayedPost(channel: channel, from: from, payload: payload, signature: signature), id: message.receiptID,
            excluding: sender.map { .session($0) } ?? .path(from), tracked: tracked, into: &batch)
        batch.send()
    }

    /// What another instance did, or the bus resuming after a break.
    func applyCluster(_ input: ClusterBusInput) async {
        guard let cluster else { return }
        switch input {
        case .resumed:
            await resumeCluster()
        case let .event(event, origin, sentMs):
            if origin == cluster.nodeID {
                // Already done here when it happened (and posts went through the sequencer).
                return
            }
            if let sentMs { metrics.busLag.recordMilliseconds(max(0, wallClock() - sentMs)) }
            await applyRemote(event)
        }
    }

    /// Catches up after the bus was down: missed messages by number, and the ban mirror.
    private func resumeCluster() async {
        do {
            let sequences = try await store.channelSequences()
            var fresh: [String: Set<String>] = [:]
            for ban in try await store.allBans() { fresh[ban.channel, default: []].insert(ban.user) }
            bans = fresh
            await sequence(sequencer.resume(sequences))
        } catch {
            logger.warning("could not catch up after the bus resumed", metadata: ["error": "\(error)"])
        }
    }

    private func applyRemote(_ event: ClusterEvent) async {
        switch event {
        case let .posted(channelID, channel, seq, from, payload, receiptID, signature):
            let message = ChannelSequencer.Message(
                seq: seq, from: from, payload: payload.map { [UInt8]($0) }, receiptID: receiptID, signature: signature.map { [UInt8]($0) })
            await sequence(sequencer.receive(channelID: channelID, channel: channel, message))
        case let .whisper(target, from, payload, receiptID, signature):
            guard let targetPath = try? SessionPath(parsing: target), let fromPath = try? SessionPath(parsing: from),
                  let body = try? Payload(wireBytes: [UInt8](payload)), let recipient = presence.session(at: targetPath)
            else { return }
            let signed = signature.flatMap { try? MessageSignature(wireBytes: [UInt8]($0)) }
            deliver(
                Self.whisperFrame(id: receiptID, from: fromPath, target: targetPath, payload: body, signature: signed, for: recipient),
                to: recipient)
        case let .superseded(path, token):
            guard let sessionPath = try? SessionPath(parsing: path), let session = presence.session(at: sessionPath),
                  session.clusterToken != token
            else { return }
            logger.info("session superseded by a newer connection on another instance", metadata: ["path": "\(path)"])
            drop(session, cause: .superseded, reason: Refusal.supersededReason)
        case let .unsubscribed(channel, user, path, notice):
            unsubscribe(user: user, path: path.flatMap { try? SessionPath(parsing: $0) }, from: channel, notice: notice)
        case let .banned(channel, user, notice):
            bans[channel, default: []].insert(user)
            unsubscribe(user: user, from: channel, notice: notice)
        case let .unbanned(channel, user):
            bans[channel]?.remove(user)
        case let .channelDeleted(channel, notice):
            forgetChannel(channel, notice: notice)
        case let .channelEncrypted(channel):
            encryptedChannels.insert(channel)
        case let .channelRenamed(channel, newName, notice):
            applyRename(channel, to: newName, notice: notice)
        case let .revoked(user, machine, reason, deletedChannels):
            applyRevocation(user: user, machine: machine, reason: reason, deletedChannels: deletedChannels, requester: nil, ack: "")
        }
    }

    /// Queues this instance's sessions and subscriptions for the directory again (after the
    /// others removed them during a long silence).
    func reannounceSessions() {
        guard let cluster else { return }
        for session in presence.allSessions {
            let path = session.path.description
            recordInDirectory(.claim(DirectoryEntry(path: path, user: session.user, node: cluster.nodeID, token: session.clusterToken)))
            for channel in presence.channels(of: session.path) {
                recordInDirectory(.subscribe(path: path, token: session.clusterToken, channel: channel))
            }
        }
    }

    /// Every session path, on this instance and the others.
    func clusterSessionPaths() async throws -> [SessionPath] {
        var paths = Set(presence.allSessions.map(\.path))
        if let cluster {
            for text in try await cluster.directory.sessionPaths() {
                if let path = try? SessionPath(parsing: text) { paths.insert(path) }
            }
        }
        return paths.sorted { $0.description < $1.description }
    }

    /// Every subscriber of `channel`, on this instance and the others.
    func clusterSubscriberPaths(of channel: String) async throws -> [SessionPath] {
        var paths = Set(presence.subscribers(of: channel).map(\.path))
        if let cluster {
            for text in try await cluster.directory.subscriberPaths(of: channel) {
                if let path = try? SessionPath(parsing: text) { paths.insert(path) }
            }
        }
        return paths.sorted { $0.description < $1.description }
    }

    /// Live sessions of `user` on every instance.
    func clusterSessionCount(of user: String) async throws -> Int {
        var count = presence.sessionCount(of: user)
        if let cluster {
            count += try await cluster.directory.sessionCount(of: user)
        }
        return count
    }
}
