import ConclaveProtocol
import ConclaveServer
import Testing

@Suite("Liveness over the wire")
struct LivenessTests {
    /// WebSocket pings keep a session alive (gap G27); silence gets it reaped.
    @Test func webSocketPingsCountAsActivity() async throws {
        var settings = HubSettings()
        settings.idleTimeout = .seconds(2)
        settings.reapInterval = .milliseconds(100)
        try await TestServer.with(settings: settings) { server in
            try await server.peer(key: try newKey(), register: "pinger") { (pinger) async throws in
                try await server.peer(key: try newKey(), register: "silent") { (silent) async throws in
                    // Three seconds of WebSocket pings only, well past the idle timeout.
                    for _ in 0..<15 {
                        try await pinger.connection.outbound.sendWebSocketPing()
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(try await silent.next(within: .seconds(10)) == .error(.unauthorized("idle timeout: no heartbeat")))
                    let pong = try await pinger.request(.ping)
                    #expect(pong == .pong)
                }
            }
        }
    }
}
