import ConclaveProtocol
import ConclaveServer
import Testing

@Suite("Liveness over the wire")
struct LivenessTests {
    /// WebSocket pings keep a session alive (gap G27); silence gets it reaped.
    @Test func webSocketPingsCountAsActivity() async throws {
        var settings = HubSettings()
        settings.idleTimeout = .milliseconds(600)
        settings.reapInterval = .milliseconds(100)
        try await TestServer.with(settings: settings) { server in
            try await server.peer(key: try newKey(), register: "pinger") { (pinger) async throws in
                try await server.peer(key: try newKey(), register: "silent") { (silent) async throws in
                    for _ in 0..<12 {
                        try await pinger.connection.outbound.sendWebSocketPing()
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(try await silent.next() == .error(.unauthorized("idle timeout: no heartbeat")))
                    let pong = try await pinger.request(.ping)
                    #expect(pong == .pong)
                }
            }
        }
    }
}
