import ArgumentParser
import Foundation
import ConclaveTransport
import NIOCore
import Synchronization

/// The anchor "floor of our stack": the same WebSocket server code as `conclave serve`
/// (`FrameServer`: SwiftNIO's HTTP/1 server and WebSocket upgrade, `SessionOutput`) that broadcasts every frame to every
/// other connection, encoded once, with no handshake, no authorization and no store.
struct FloorServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "floor-server", abstract: "Minimal same-stack broadcast server.")

    @Option var port = 0

    func run() async throws {
        let broadcaster = Broadcaster()
        let server = try FrameServer(
            configuration: {
                var configuration = FrameServer.Configuration(host: "127.0.0.1", port: port, serverID: "floor")
                // The publisher does not wait for anyone: room for a whole run, as before.
                configuration.outputCapacity = 1 << 20
                return configuration
            }(),
            onRunning: { port in
                // stdout is a pipe to the suite: flush so it sees the port now.
                FileHandle.standardOutput.write(Data("listening \(port)\n".utf8))
            },
            handler: { connection in await broadcaster.serve(connection) })
        try await server.run()
    }
}

/// Connections and their outputs.
///
/// Written like the server's sessions (each connection's ``SessionOutput``, written on its event
/// loop), so the floor moves with the stack and the ratio measures what `conclave serve` adds:
/// the handshake, authorization, the hub and the store.
final class Broadcaster: Sendable {
    private let outputs = Mutex<[Int: SessionOutput]>([:])
    private let nextID = Atomic<Int>(0)

    func serve(_ connection: ServerConnection) async {
        // No handshake here: lift the pre-authentication byte budget, which would otherwise cut
        // the publisher after a few hundred KiB.
        connection.activity.markAuthenticated()
        let id = nextID.add(1, ordering: .relaxed).newValue
        outputs.withLock { $0[id] = connection.output }
        do {
            for try await frame in connection.inbound {
                guard case let .message(message) = frame else { continue }
                let buffer = EncodedFrame(message)
                let targets = outputs.withLock { $0.filter { $0.key != id }.map(\.value) }
                for target in targets { _ = target.offer(buffer) }
            }
        } catch {}
        outputs.withLock { $0[id] = nil }
        connection.output.close(finals: [], ending: .peerClosed)
    }
}
