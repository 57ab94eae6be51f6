import ConclaveIdentity
import ConclaveProtocol
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import WSClient
@_spi(WSInternal) import WSCore

/// The client side of one connection: TLS (for `wss://`), the HTTP upgrade, then WebSocket frames.
///
/// Mirrors WSClient's own channel, which does not expose the upgrade response headers; we need
/// `x-conclave-server-id` from them so a bridge can spot one server reached under two URLs.
struct LinkChannel: ClientConnectionChannel {
    enum UpgradeResult: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, serverID: String?, noticeSender: String?, extensions: String?)
        case notUpgraded
    }

    typealias Value = EventLoopFuture<UpgradeResult>

    /// Context handed to the frame handler: the logger WSCore wants, plus the upgrade's server ID.
    struct Context: WebSocketContext {
        let logger: Logger
        let serverID: String?
        /// The `x-conclave-notices` header: the sender path this server reserves for notices.
        let noticeSender: String?
        /// The `x-conclave-extensions` answer: the extensions the server accepted.
        let extensions: String?
    }

    let url: ServerURL
    let sslContext: NIOSSLContext?
    /// The extensions asked for in the upgrade request (none: no header is sent).
    let requestedExtensions: Set<ProtocolExtension>
    /// Told about the channel as soon as it exists, so a timeout can close it.
    let onChannel: @Sendable (any Channel) -> Void
    let handler: WebSocketDataHandler<Context>

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        onChannel(channel)
        return channel.eventLoop.makeCompletedFuture {
            let recorder = FailureRecorder()
            try channel.pipeline.syncOperations.addHandler(recorder)
            // Goes first, then TLS is put in front of it: it must see the end of the decrypted stream.
            let hold = InputCloseHold(url: url.normalized)
            try channel.pipeline.syncOperations.addHandler(hold, position: .first)
            let upgrade = try configurePipeline(channel: channel)
            // The upgrade handler replays the bytes it buffered right after completing this
            // future, in the same call: release the held end of input on the next tick.
            let held = NIOLoopBound(hold, eventLoop: channel.eventLoop)
            upgrade.whenComplete { _ in
                channel.eventLoop.assumeIsolated().execute { held.value.upgradeSettled() }
            }
            // The upgrade future is never completed if the connection dies first (for example
            // when the TLS handshake fails); settle it from the close, with the recorded cause.
            let result = channel.eventLoop.makePromise(of: UpgradeResult.self)
            let settled = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            upgrade.whenComplete { outcome in
                guard !settled.value else { return }
                settled.value = true
                result.completeWith(outcome)
            }
            let url = url.normalized
            channel.closeFuture.whenComplete { _ in
                guard !settled.value else { return }
                settled.value = true
                let fallback: any Error = TransportError.connectFailed(
                    url: url, reason: "the connection closed during the WebSocket upgrade")
                let cause: any Error = recorder.firstError ?? fallback
                result.fail(cause)
            }
            return result.futureResult
        }
    }

    private func configurePipeline(channel: any Channel) throws -> EventLoopFuture<UpgradeResult> {
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
            maxFrameSize: FrameLimits.maxFrameBytes,
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                        wrappingChannelSynchronously: channel)
                    return .websocket(
                        asyncChannel, serverID: head.headers.first(name: ServerIdentity.headerName),
                        noticeSender: head.headers.first(name: ServerIdentity.noticesHeaderName),
                        extensions: head.headers.first(name: ServerIdentity.extensionsHeaderName))
                }
            })
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: hostHeader)
        if !requestedExtensions.isEmpty {
            headers.add(name: ServerIdentity.extensionsHeaderName, value: ProtocolExtension.headerValue(requestedExtensions))
        }
        let requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.path, headers: headers)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration(
            upgradeRequestHead: requestHead,
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture { UpgradeResult.notUpgraded }
            })
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
        pipeline.leftOverBytesStrategy = .forwardBytes
        if let sslContext {
            // SNI must be a host name, never an IP literal.
            let isAddress = (try? SocketAddress(ipAddress: url.host, port: 0)) != nil
            let tlsHandler = try NIOSSLClientHandler(context: sslContext, serverHostname: isAddress ? nil : url.host)
            try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
        }
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
    }

    private var hostHeader: String {
        let host = HostText.bracketed(url.host)
        let defaultPort = url.isSecure ? 443 : 80
        return url.port == defaultPort ? host : "\(host):\(url.port)"
    }

    func handle(value: Value, logger: Logger) async throws {
        switch try await value.get() {
        case let .websocket(channel, serverID, noticeSender, extensions):
            _ = try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(
                    extensions: [],
                    autoPing: .disabled,
                    closeTimeout: .seconds(2),
                    validateUTF8: false,
                    maxFrameSize: FrameLimits.maxFrameBytes),
                asyncChannel: channel,
                context: Context(logger: logger, serverID: serverID, noticeSender: noticeSender, extensions: extensions),
                handler: handler)
        case .notUpgraded:
            throw TransportError.connectFailed(url: url.normalized, reason: "the server did not accept the WebSocket upgrade")
        }
    }
}


/// Remembers the first error seen on a connection (a TLS handshake failure, a reset) so a failed
/// connect can say why.
private final class FailureRecorder: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    // Touched only on the channel's event loop.
    private(set) var firstError: (any Error)?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if firstError == nil { firstError = error }
        context.fireErrorCaught(error)
    }
}
