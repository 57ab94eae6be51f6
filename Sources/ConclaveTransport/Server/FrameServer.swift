public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HTTPTypes
import HummingbirdWebSocket
public import Logging
import NIOCore

/// The server's HTTP surface: WebSocket upgrades on `/` (with the `x-conclave-server-id`
/// header), `GET /health` → `ok`, and an explanatory 426 for a plain `GET /`.
///
/// Each upgraded connection is handed to `handler`, which owns it until it returns; the
/// connection closes then.
public struct FrameServer: Sendable {
    /// Where and how to listen.
    public struct Configuration: Sendable {
        /// Host or address to bind.
        public var host: String
        /// Port to bind; 0 picks a free one (see `onRunning`).
        public var port: Int
        /// Serve `wss://` directly when set.
        public var tls: ServerTLS?
        /// The instance ID advertised on every upgrade.
        public var serverID: String
        /// A connection that is not a WebSocket by then (no request, a trickled request, a
        /// stalled TLS handshake) is closed; plain HTTP requests are answered well within it.
        public var upgradeDeadline: Duration = .seconds(10)
        /// Admits or refuses each connection at accept; `nil` admits all.
        public var admission: (any ConnectionAdmission)?
        /// Why this server should not get new clients now (`nil`: healthy); `GET /health` then
        /// answers 503 with the reason, so a load balancer sends clients elsewhere.
        public var healthProblem: (@Sendable () async -> String?)?
        /// Frames a connection's ``SessionOutput`` holds for a peer that reads slower than it is
        /// sent to before ``SessionOutput/offer(_:)`` refuses (a slow consumer).
        public var outputCapacity = 1024

        /// Creates a configuration.
        public init(host: String, port: Int, tls: ServerTLS? = nil, serverID: String) {
            self.host = host
            self.port = port
            self.tls = tls
            self.serverID = serverID
        }
    }

    /// Builds the HTTP application; run it as a service (it shuts down gracefully).
    ///
    /// - Parameters:
    ///   - logger: Hummingbird's logger (the framework's own messages).
    ///   - onRunning: called with the bound port once the listener is up.
    ///   - handler: runs one connection to completion.
    public static func makeApplication(
        configuration: Configuration,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in },
        handler: @escaping @Sendable (ServerConnection) async -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router()
        let healthProblem = configuration.healthProblem
        router.get("health") { _, _ -> Response in
            if let problem = await healthProblem?() {
                return Response(
                    status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "unavailable: \(problem)\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        router.get("/") { _, _ -> Response in
            Response(
                status: .upgradeRequired,
                headers: [.contentType: "text/plain; charset=utf-8", .upgrade: "websocket"],
                body: .init(byteBuffer: ByteBuffer(string: "This is a Conclave server: connect with a WebSocket client (conclave).\n")))
        }
        let serverID = configuration.serverID
        let outputCapacity = configuration.outputCapacity
        // A closing peer gets 2 s to answer our close before the socket is torn down. No automatic
        // WebSocket pings: clients send heartbeats and the hub's reaper drops silent sessions, so a
        // ping timer per connection would only cost memory and wake-ups (as in the reference).
        let webSocketConfiguration = WebSocketServerConfiguration(
            maxFrameSize: FrameLimits.maxFrameBytes, autoPing: .disabled, closeTimeout: .seconds(2))
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) async throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { request, channel, _ in
            guard request.path == "/" || request.path?.hasPrefix("/?") == true else { return .dontUpgrade }
            let remoteAddress = channel.remoteAddress?.description
            let remoteIP = channel.remoteAddress?.ipAddress
            // Added at accept (DeadlineChildChannel). This closure does not run on the channel's
            // event loop: use the pipeline's async API.
            let activity = try await channel.pipeline.handler(type: ActivityHandler.self).get().activity
            // Added last now, it ends up just below the WebSocket encoder the upgrade adds after
            // it, and above TLS: ready-made messages written there are still encrypted.
            let closeTimeout = TimeAmount.nanoseconds(Int64(webSocketConfiguration.closeTimeout.components.seconds) * 1_000_000_000)
            let output = try await channel.eventLoop.submit {
                let handler = SessionOutputHandler(closeTimeout: closeTimeout)
                try channel.pipeline.syncOperations.addHandler(handler)
                // Upgrading: the protocol handshake's own deadline takes over from here.
                if let deadline = try? channel.pipeline.syncOperations.handler(type: UpgradeDeadline.self) {
                    channel.pipeline.syncOperations.removeHandler(deadline, promise: nil)
                }
                let output = SessionOutput(capacity: outputCapacity, handler: handler, eventLoop: channel.eventLoop)
                handler.output = output
                return output
            }.get()
            var headers = HTTPFields()
            if let name = HTTPField.Name(ServerIdentity.headerName) {
                headers[name] = serverID
            }
            if let name = HTTPField.Name(ServerIdentity.noticesHeaderName) {
                headers[name] = SessionPath.serverNotice.description
            }
            // Extensions: only what the client asked for and this server speaks; no header for a
            // client that asked for none (the reference never does).
            let extensions = HTTPField.Name(ServerIdentity.extensionsHeaderName).map {
                ProtocolExtension.parse(request.headerFields[$0]).intersection(ProtocolExtension.allCases)
            } ?? []
            if !extensions.isEmpty, let name = HTTPField.Name(ServerIdentity.extensionsHeaderName) {
                headers[name] = ProtocolExtension.headerValue(extensions)
            }
            return .upgrade(headers) { inbound, outbound, _ in
                await handler(ServerConnection(
                    inbound: FrameInbound(stream: inbound), outbound: FrameOutbound(writer: outbound), output: output,
                    remoteAddress: remoteAddress, remoteIP: remoteIP, activity: activity, extensions: extensions))
            }
        }
        let upgradeDeadline = configuration.upgradeDeadline
        let admission = configuration.admission
        var server = HTTPServerBuilder { responder in
            DeadlineChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: .init(ws: webSocketConfiguration), shouldUpgrade: shouldUpgrade),
                deadline: .nanoseconds(Int64(upgradeDeadline.components.seconds) * 1_000_000_000 + upgradeDeadline.components.attoseconds / 1_000_000_000),
                admission: admission)
        }
        if let tls = configuration.tls {
            server = try HTTPServerBuilder.tls(server, tlsConfiguration: try tls.configuration())
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}

import ConclaveProtocol
