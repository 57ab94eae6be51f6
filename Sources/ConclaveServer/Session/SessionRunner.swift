import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport
import Logging
import Synchronization
import Tracing

/// Runs one client connection: the handshake under its deadline, then the frame loop.
///
/// Output needs no task: frames go to the connection's ``SessionOutput``, which the event loop
/// writes, and which also sends the WebSocket close when the session ends. A task for
/// acknowledgements starts with the first post. Everything it starts ends before it returns.
struct SessionRunner: Sendable {
    let hub: Hub
    let settings: HubSettings
    let logger: Logger

    func run(_ connection: ServerConnection) async {
        await run(
            frames: connection.inbound.makeAsyncIterator(),
            on: SessionConnection(
                output: connection.output, remoteIP: connection.remoteIP, activity: connection.activity,
                extensions: connection.extensions))
    }

    /// Runs a connection given as its inbound frames and the rest: the same loop with or without a
    /// socket (tests and the fuzz target script `frames` and read a ``FrameQueue``).
    func run<Frames: InboundFrameSource>(frames: Frames, on connection: SessionConnection) async {
        var frames = frames
        let address = connection.remoteIP ?? "unknown"
        if let refusal = hub.admission.beginHandshake(address: address) {
            logger.warning("connection refused by a limit", metadata: ["address": "\(address)", "error": "\(refusal)"])
            hub.metrics.refused(refusal)
            hub.metrics.handshakes[.refused]?.increment()
            connection.output.close(finals: [EncodedFrame(ProtocolMessage.error(refusal))], ending: .normal)
            await Self.drain(&frames)
            return
        }
        // Until a key is proved: handshake frames only, a few KiB each, refused by tag before
        // any body is decoded (and the connection's byte budget caps what it may send at all).
        frames.acceptance = .handshake
        // A span per handshake: how long proving a key takes, and how it ended.
        let span = startSpan("conclave.handshake", ofKind: .server)
        let established = await handshake(connection, address: address, frames: &frames)
        span.attributes["conclave.outcome"] = established == nil ? "not established" : "established"
        span.end()
        hub.admission.handshakeEnded(address: address)
        guard let session = established else {
            // A refusal was queued with its close; otherwise the peer went away mid-handshake.
            connection.output.close(finals: [], ending: .normal)
            await Self.drain(&frames)
            return
        }
        connection.activity?.markAuthenticated()
        frames.acceptance = .clientRequests
        guard await hub.attach(session) else {
            // Its machine or account was revoked while it was being authenticated: the output
            // writes what is queued and the reason, then closes.
            await Self.drain(&frames)
            return
        }
        let posts = PostPipeline(depth: settings.postPipelineDepth)
        await withTaskGroup(of: Void.self) { group in
            // The acknowledger starts with the first post: most sessions never post (tail, one-shot
            // verbs, listeners), and an idle session's memory is mostly its tasks.
            let ending = await readFrames(session, posts, frames: &frames) {
                group.addTask { await acknowledgePosts(session, posts) }
            }
            // Posts already admitted are committed and delivered even though the sender is gone.
            posts.close()
            await hub.detach(session)
            // What is queued is written, then the connection closes (a no-op when the hub already
            // ended the session with its reason).
            session.output.close(finals: [], ending: ending)
            await group.waitForAll()
        }
        await Self.drain(&frames)
    }

    /// Reads until the peer's close arrives (bounded by the WebSocket close timeout). Tearing the
    /// socket down before that can make the peer's TCP stack discard our last frame (the reason
    /// for a refusal or a termination) when its close reply meets a closed socket.
    private static func drain(_ frames: inout some InboundFrameSource) async {
        while (try? await frames.next()) != nil {}
    }

    // MARK: Handshake

    private func handshake(_ connection: SessionConnection, address: String, frames: inout some InboundFrameSource) async -> ServerSession? {
        let gate = HandshakeGate()
        let deadline = settings.handshakeDeadline
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: deadline)
                guard !Task.isCancelled, gate.claimTimeout() else { return }
                logger.warning("error frame emitted", metadata: ["error": "unauthorized: handshake timed out"])
                hub.metrics.handshakes[.timedOut]?.increment()
                connection.output.close(finals: [EncodedFrame(ProtocolMessage.error(.unauthorized("handshake timed out")))], ending: .normal)
            }
            let session = await negotiate(connection, address: address, frames: &frames, gate: gate)
            group.cancelAll()
            return session
        }
    }

    private func negotiate(
        _ connection: SessionConnection, address: String, frames: inout some InboundFrameSource, gate: HandshakeGate
    ) async -> ServerSession? {
        let nonce: [UInt8]
        do {
            nonce = try SecureRandom.bytes(32)
        } catch {
            await reject(.internal("could not generate a challenge"), on: connection, gate: gate)
            return nil
        }
        var machine = ServerHandshakeStateMachine(nonce: nonce)
        while true {
            let action: ServerHandshakeStateMachine.Action
            switch try? await frames.next() {
            case let .message(message)?:
                action = machine.receive(message)
            case let .undecodable(error)?:
                await reject(.malformedFrame("undecodable frame: \(error)"), on: connection, gate: gate)
                return nil
            case .refused?:
                // Not a handshake frame: refused as such, its body never decoded.
                action = machine.receiveNonHandshakeFrame()
            case nil:
                if gate.claimCompletion() { hub.metrics.handshakes[.abandoned]?.increment() }
                return nil
            }
            switch action {
            case let .sendChallenge(nonce):
                _ = await connection.output.enqueue(EncodedFrame(ProtocolMessage.challenge(nonce: nonce)))
            case .awaitNextFrame:
                continue
            case let .reject(error):
                await reject(error, on: connection, gate: gate)
                return nil
            case let .authenticate(key, handle):
                do {
                    let epoch = await hub.revocationEpoch
                    let (user, machineName) = try await hub.authenticate(key: key)
                    let path = SessionPath(user: user, machine: machineName, session: handle)
                    if let refusal = await hub.sessionRefusal(for: path) { throw refusal }
                    return await establish(path, key: key, connection, gate, revocationEpoch: epoch)
                } catch {
                    await reject(Self.protocolError(error), on: connection, gate: gate)
                    return nil
                }
            case let .register(username, machineName, key, handle):
                do {
                    if let refusal = hub.admission.admitRegistration(address: address) { throw refusal }
                    let epoch = await hub.revocationEpoch
                    try await hub.register(username: username, machine: machineName, key: key)
                    let path = SessionPath(user: username, machine: machineName, session: handle)
                    return await establish(path, key: key, connection, gate, revocationEpoch: epoch)
                } catch {
                    await reject(Self.protocolError(error), on: connection, gate: gate)
                    return nil
                }
            }
        }
    }

    /// Queues `Established` and `ServerInfo` before the session becomes reachable, so no push can
    /// overtake them (PROTOCOL.md §9.13).
    private func establish(
        _ path: SessionPath, key: PublicKey, _ connection: SessionConnection, _ gate: HandshakeGate, revocationEpoch: UInt64
    ) async -> ServerSession? {
        guard gate.claimCompletion() else { return nil }
        hub.metrics.handshakes[.established]?.increment()
        let isAdmin = hub.admins.contains(path.user)
        let session = ServerSession(
            path: path, isAdmin: isAdmin, output: connection.output, now: .now,
            connectionActivity: connection.activity, revocationEpoch: revocationEpoch, extensions: connection.extensions,
            machineKey: key.bytes)
        _ = session.output.offer(EncodedFrame(ProtocolMessage.established(path: path)))
        _ = session.output.offer(EncodedFrame(ProtocolMessage.serverInfo(admin: isAdmin)))
        return session
    }

    private func reject(_ error: ProtocolError, on connection: SessionConnection, gate: HandshakeGate) async {
        guard gate.claimCompletion() else { return }
        logger.warning("error frame emitted", metadata: ["error": "\(error)"])
        hub.metrics.refused(error)
        hub.metrics.handshakes[.refused]?.increment()
        connection.output.close(finals: [EncodedFrame(ProtocolMessage.error(error))], ending: .normal)
    }

    private static func protocolError(_ error: any Error) -> ProtocolError {
        (error as? ProtocolError) ?? .internal("storage failure")
    }

    // MARK: Established

    /// Handles frames until the peer closes (`.peerClosed`: its close is already answered), the
    /// connection fails, or the session is ended; returns how the connection should end.
    private func readFrames(
        _ session: ServerSession, _ posts: PostPipeline, frames: inout some InboundFrameSource,
        startAcknowledger: () -> Void
    ) async -> ConnectionEnding {
        var acknowledging = false
        while !session.output.isClosed {
            let event: InboundFrame
            do {
                guard let next = try await frames.next() else { return .peerClosed }
                event = next
            } catch {
                return .normal
            }
            session.touch(now: .now)
            switch event {
            case let .message(.channelMessage(channel, _, payload)), let .message(.signedPost(channel, payload, _)):
                if !acknowledging {
                    acknowledging = true
                    startAcknowledger()
                }
                await posts.waitForRoom()
                var signature: MessageSignature?
                if case let .message(.signedPost(_, _, signed)) = event { signature = signed }
                switch await hub.submitPost(payload, signature: signature, to: channel, from: session) {
                case let .success(post):
                    posts.push(post)
                case let .failure(refusal):
                    await posts.waitUntil(inFlightAtMost: 0)
                    guard await session.output.enqueue(EncodedFrame(ProtocolMessage.error(refusal))) else { return .normal }
                }
            case .message(.ping) where posts.isIdle:
                // The commonest frame of an idle session (a keepalive every 20 s), answered here
                // without a hop to the hub: 18,000 idle sessions held 20.7 KiB each with it and
                // grew from 21 to 26 KiB in a minute of pings without it (Docs/BENCHMARKS.md).
                guard session.output.offer(Self.pongFrame) else {
                    guard await session.output.enqueue(Self.pongFrame) else { return .normal }
                    continue
                }
            case let .message(frame):
                // Everything else sees this session's earlier posts stored and delivered, and
                // replies after their acknowledgements.
                await posts.waitUntil(inFlightAtMost: 0)
                guard let reply = await hub.handle(frame, from: session) else { continue }
                guard await session.output.enqueue(EncodedFrame(reply)) else { return .normal }
            case .refused:
                // A frame only servers send: answered as the hub answers any unexpected frame,
                // without decoding its body.
                await posts.waitUntil(inFlightAtMost: 0)
                hub.metrics.refused(Refusal.unexpectedFrame)
                guard await session.output.enqueue(EncodedFrame(ProtocolMessage.error(Refusal.unexpectedFrame))) else { return .normal }
            case let .undecodable(error):
                // Say why before closing, unlike the reference (gap G28).
                logger.warning("error frame emitted", metadata: ["error": "malformed frame: \(error)", "path": "\(session.path)"])
                let refusal = ProtocolError.malformedFrame("undecodable frame: \(error)")
                hub.metrics.refused(refusal)
                session.output.close(finals: [EncodedFrame(ProtocolMessage.error(refusal))], ending: .normal)
                return .normal
            }
        }
        return .normal
    }

    /// Queues each admitted post's reply, in order, once its commit is done.
    private func acknowledgePosts(_ session: ServerSession, _ posts: PostPipeline) async {
        while let post = await posts.next() {
            let reply = await hub.reply(to: post)
            let frame = if case .ack(nil) = reply { Self.ackFrame } else { EncodedFrame(reply) }
            // A closed queue (the session ended) still counts the post as answered.
            _ = await session.output.enqueue(frame)
            posts.acknowledged()
        }
    }

    private static let ackFrame = EncodedFrame(ProtocolMessage.ack(detail: nil))
    private static let pongFrame = EncodedFrame(ProtocolMessage.pong)
}

/// Decides, once, whether the handshake ended by completing/refusing or by timing out, so only
/// one of them sends a frame.
private final class HandshakeGate: Sendable {
    private let done = Atomic<Bool>(false)

    func claimCompletion() -> Bool {
        done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    func claimTimeout() -> Bool { claimCompletion() }
}
