import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// The second anchor, "floor of raw SwiftNIO": WebSocket on NIO's own HTTP/1 upgrade with no
/// Hummingbird, no protocol logic and no store. Every binary message is written as it came to
/// every other connection, one hop per event loop per message (the `writeToAll` pattern of NIO's
/// chat server example), so it is what this machine's SwiftNIO can do for a broadcast at all.
struct RawFloorServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "raw-floor-server", abstract: "Minimal raw SwiftNIO WebSocket broadcast server.")

    @Option var port = 0

    func run() async throws {
        let members = BroadcastMembers()
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BroadcastHandler(members: members))
                }
            })
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        FileHandle.standardOutput.write(Data("listening \(server.localAddress?.port ?? 0)\n".utf8))
        try await server.closeFuture.get()
    }
}

/// The raw floor's connections, grouped by event loop.
final class BroadcastMembers: Sendable {
    private let members = Mutex<[ObjectIdentifier: (any EventLoop, NIOLoopBound<ChannelHandlerContext>)]>([:])

    func add(_ context: ChannelHandlerContext) {
        members.withLock { $0[ObjectIdentifier(context.channel)] = (context.eventLoop, NIOLoopBound(context, eventLoop: context.eventLoop)) }
    }

    func remove(_ context: ChannelHandlerContext) {
        _ = members.withLock { $0.removeValue(forKey: ObjectIdentifier(context.channel)) }
    }

    /// Writes `frames` to every member but `sender`, with one hop per loop and one flush per member.
    func broadcast(_ frames: [WebSocketFrame], from sender: ChannelHandlerContext) {
        let senderID = ObjectIdentifier(sender.channel)
        let byLoop = members.withLock { members in
            Dictionary(grouping: members.filter { $0.key != senderID }.values, by: { ObjectIdentifier($0.0) })
        }
        for group in byLoop.values {
            guard let loop = group.first?.0 else { continue }
            let contexts = group.map(\.1)
            let write: @Sendable () -> Void = {
                for context in contexts {
                    for frame in frames { context.value.write(NIOAny(frame), promise: nil) }
                    context.value.flush()
                }
            }
            if loop.inEventLoop { write() } else { loop.execute(write) }
        }
    }
}

/// A raw floor connection: relays binary messages to every other connection.
final class BroadcastHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let members: BroadcastMembers
    private var pending: [WebSocketFrame] = []

    init(members: BroadcastMembers) {
        self.members = members
    }

    func handlerAdded(context: ChannelHandlerContext) {
        members.add(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        members.remove(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            pending.append(WebSocketFrame(fin: true, opcode: .binary, data: frame.unmaskedData))
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !pending.isEmpty {
            members.broadcast(pending, from: context)
            pending = []
        }
        context.fireChannelReadComplete()
    }
}
