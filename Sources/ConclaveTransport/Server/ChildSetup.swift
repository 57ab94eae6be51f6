import ConclaveIdentity
import ConclaveProtocol
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// Builds each accepted connection's pipeline: admission at accept, liveness and the byte budget
/// from the first byte (``ActivityHandler``), the upgrade deadline, TLS, HTTP/1 with the WebSocket
/// upgrade, and plain HTTP answers for everything else. An accepted upgrade swaps in the session's
/// output (``SessionOutputHandler``, below the WebSocket encoder) and its inbound frames
/// (``ServerWebSocketHandler``), and hands the connection to the server's sessions.
struct ChildSetup: Sendable {
    let configuration: FrameServer.Configuration
    let sslContext: NIOSSLContext?
    let accepted: AsyncStream<ServerConnection>.Continuation
    let open: OpenChannels

    func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        open.track(channel)
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        var release: (@Sendable () -> Void)?
        if let admission = configuration.admission {
            guard admission.admitConnection(address: address) else {
                // Closed at once, quietly: the admission logs summaries.
                return channel.close()
            }
            release = { admission.releaseConnection(address: address) }
        }
        // Counted from the first byte: an HTTP request that never ends is bounded too.
        let activity = ConnectionActivity(countsUnauthenticatedBytes: true, release: release)
        channel.closeFuture.whenComplete { _ in activity.releaseAdmission() }
        let upgrader = makeUpgrader(activity: activity)
        let healthProblem = configuration.healthProblem
        let metrics = configuration.metrics
        let deadline = Self.timeAmount(configuration.upgradeDeadline)
        return channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ActivityHandler(activity: activity))
            // Below TLS, so a stalled TLS handshake counts against the deadline too.
            try pipeline.addHandler(UpgradeDeadline(deadline: deadline))
            if let sslContext {
                try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
            }
            try pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            try pipeline.addHandler(PlainHTTPHandler(healthProblem: healthProblem, metrics: metrics))
        }
    }

    private func makeUpgrader(activity: ConnectionActivity) -> NIOWebSocketServerUpgrader {
        let serverID = configuration.serverID
        let outputCapacity = configuration.outputCapacity
        let closeTimeout = Self.timeAmount(configuration.closeTimeout)
        let accepted = accepted
        return NIOWebSocketServerUpgrader(
            maxFrameSize: FrameLimits.maxFrameBytes,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                guard Self.isUpgradePath(head.uri) else { return channel.eventLoop.makeSucceededFuture(nil) }
                var headers = HTTPHeaders()
                headers.add(name: ServerIdentity.headerName, value: serverID)
                headers.add(name: ServerIdentity.noticesHeaderName, value: SessionPath.serverNotice.description)
                // Extensions: only what the client asked for and this server speaks; no header for
                // a client that asked for none (the reference never does).
                let extensions = Self.extensions(of: head)
                if !extensions.isEmpty {
                    headers.add(name: ServerIdentity.extensionsHeaderName, value: ProtocolExtension.headerValue(extensions))
                }
                return channel.eventLoop.makeSucceededFuture(headers)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // Upgraded: the protocol handshake's own deadline takes over from here, and
                    // plain HTTP answers are over (NIO removes only its own HTTP handlers; bytes
                    // the peer sent after the request reach the WebSocket decoder once we return).
                    if let deadline = try? pipeline.handler(type: UpgradeDeadline.self) {
                        pipeline.removeHandler(deadline, promise: nil)
                    }
                    pipeline.removeHandler(try pipeline.handler(type: PlainHTTPHandler.self), promise: nil)
                    // Below the WebSocket encoder and above TLS: ready-made messages written there
                    // are still encrypted.
                    let outputHandler = SessionOutputHandler(closeTimeout: closeTimeout)
                    let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
                    try pipeline.addHandler(outputHandler, position: .before(encoder))
                    let output = SessionOutput(capacity: outputCapacity, handler: outputHandler, eventLoop: channel.eventLoop)
                    outputHandler.output = output
                    let inboundHandler = ServerWebSocketHandler(output: outputHandler)
                    try pipeline.addHandler(inboundHandler)
                    let frames = ServerFrameStream.attach(to: inboundHandler, output: output, eventLoop: channel.eventLoop)
                    let connection = ServerConnection(
                        inbound: FrameInbound(server: frames), output: output,
                        remoteAddress: channel.remoteAddress?.description, remoteIP: channel.remoteAddress?.ipAddress,
                        activity: activity, extensions: Self.extensions(of: head))
                    if case .terminated = accepted.yield(connection) {
                        // Accepted before the listener closed, upgraded after: no session will
                        // run it, so it is told to go away as every live session was.
                        output.close(finals: [], ending: .goingAway(FrameServer.shutdownReason))
                    }
                }
            })
    }

    /// `/`, with or without a query (the reference client sends none; proxies may add one).
    private static func isUpgradePath(_ uri: String) -> Bool {
        uri == "/" || uri.hasPrefix("/?")
    }

    private static func extensions(of head: HTTPRequestHead) -> Set<ProtocolExtension> {
        let asked = head.headers[ServerIdentity.extensionsHeaderName].joined(separator: ",")
        return ProtocolExtension.parse(asked.isEmpty ? nil : asked).intersection(ProtocolExtension.allCases)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.wholeNanoseconds)
    }
}
