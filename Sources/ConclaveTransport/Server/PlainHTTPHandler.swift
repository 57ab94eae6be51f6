import NIOCore
import NIOHTTP1

/// Answers the HTTP requests that are not WebSocket upgrades: `GET /health` (200, or 503 with the
/// reason when the server should get no new clients), `GET /metrics` when a scrape is offered, an
/// explanatory 426 for a plain `GET /` (on the WebSocket listener), and 404 for anything else.
/// Request bodies are discarded (the connection's byte budget bounds them).
final class PlainHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let healthProblem: (@Sendable () async -> String?)?
    private let metrics: (@Sendable () async -> String)?
    private let upgradeHint: Bool
    private var head: HTTPRequestHead?

    init(healthProblem: (@Sendable () async -> String?)?, metrics: (@Sendable () async -> String)? = nil, upgradeHint: Bool = true) {
        self.healthProblem = healthProblem
        self.metrics = metrics
        self.upgradeHint = upgradeHint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        switch (head.method, path) {
        case (.GET, "/health"), (.HEAD, "/health"):
            guard let healthProblem else {
                write(.ok, body: "ok", to: head, context: context)
                return
            }
            // The hub is an actor: ask it off the loop and answer back on it. The task is bounded
            // by the question (a few field reads) and by the connection's upgrade deadline.
            let promise = context.eventLoop.makePromise(of: String?.self)
            promise.completeWithTask { await healthProblem() }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { problem in
                let (handler, context) = bound.value
                if let problem {
                    handler.write(.serviceUnavailable, body: "unavailable: \(problem)\n", to: head, context: context)
                } else {
                    handler.write(.ok, body: "ok", to: head, context: context)
                }
            }
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            guard let metrics else {
                write(.notFound, body: "", to: head, context: context)
                return
            }
            let promise = context.eventLoop.makePromise(of: String.self)
            promise.completeWithTask { await metrics() }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { text in
                let (handler, context) = bound.value
                // The Prometheus text exposition format, version 0.0.4.
                handler.write(.ok, body: text, to: head, context: context, contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        case (.GET, "/") where upgradeHint, (.HEAD, "/") where upgradeHint:
            write(
                .upgradeRequired, body: "This is a Conclave server: connect with a WebSocket client (conclave).\n",
                to: head, context: context, extraHeaders: [("upgrade", "websocket")])
        default:
            write(.notFound, body: "", to: head, context: context)
        }
    }

    private func write(
        _ status: HTTPResponseStatus, body: String, to request: HTTPRequestHead, context: ChannelHandlerContext,
        extraHeaders: [(String, String)] = [], contentType: String = "text/plain; charset=utf-8"
    ) {
        let bytes = context.channel.allocator.buffer(string: body)
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(bytes.readableBytes)")])
        headers.add(contentsOf: extraHeaders)
        var response = HTTPResponseHead(version: request.version, status: status, headers: headers)
        response.headers.add(name: "connection", value: request.isKeepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        }
        let keepAlive = request.isKeepAlive
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}
