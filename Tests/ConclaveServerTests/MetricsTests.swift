import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import ConclaveTesting
import Foundation
import Testing

/// `GET /metrics`: the figures operators scrape, read back in the Prometheus text format after
/// real sessions did the things they count.
@Suite("Metrics")
struct MetricsTests {
    /// The value of one sample line (`name{labels} value`), or `nil` when there is none.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    static func scrape(_ port: Int) async throws -> String {
        let response = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/metrics")
        #expect(response.hasPrefix("HTTP/1.1 200"), "\(response.prefix(80))")
        #expect(response.lowercased().contains("content-type: text/plain; version=0.0.4"))
        return response
    }

    @Test func sessionsPostsDeliveriesRefusalsAndStoreTimesAreCounted() async throws {
        try await TestServer.with { server in
            try await server.peer(key: try newKey(), register: "alice") { alice async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                try await server.peer(key: try newKey(), register: "bob") { bob async throws in
                    _ = try await bob.request(.join(channel: "ops", token: nil))
                    #expect(try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("hi"))) == .ack(detail: nil))
                    _ = try await bob.next()
                    guard case .error = try await bob.request(.join(channel: "nowhere", token: nil)) else {
                        Issue.record("joining a missing channel was not refused")
                        return
                    }
                    let text = try await Self.scrape(server.port)
                    #expect(Self.sample(text, #"conclave_sessions{state="established"}"#) == 2)
                    #expect(Self.sample(text, #"conclave_handshakes_total{outcome="established"}"#) == 2)
                    #expect(Self.sample(text, "conclave_posts_total") == 1)
                    #expect(Self.sample(text, "conclave_deliveries_total") == 1)
                    #expect(Self.sample(text, #"conclave_refusals_total{code="not_found",kind="channelNotFound"}"#) == 1)
                    #expect((Self.sample(text, #"conclave_store_duration_seconds_count{operation="append_messages"}"#) ?? 0) >= 1)
                    #expect((Self.sample(text, #"conclave_store_duration_seconds_count{operation="look_up_key"}"#) ?? 0) == 0,
                            "registrations do not look a key up")
                    // The process's own figures, under the names Prometheus client libraries use.
                    #expect((Self.sample(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
                    #expect((Self.sample(text, "process_open_fds") ?? 0) > 3)
                    #expect((Self.sample(text, "process_cpu_seconds_total") ?? 0) > 0)
                    let started = Self.sample(text, "process_start_time_seconds") ?? 0
                    #expect(started > 1_700_000_000 && started < Date().timeIntervalSince1970 + 1, "start time \(started)")
                    // Labels never name who is talking.
                    #expect(!text.contains("alice") && !text.contains("bob") && !text.contains("\"ops\""))
                }
            }
        }
    }

    @Test func limitTripsAndRateLimitRefusalsAreCountedByLimit() async throws {
        let settings = HubSettings.onlyLimits { $0.postsPerSession = .perMinute(1, burst: 1) }
        try await TestServer.with(settings: settings) { server in
            try await server.peer(key: try newKey(), register: "alice") { alice async throws in
                _ = try await alice.request(.admin(.createChannel(name: "ops", visibility: .public)))
                _ = try await alice.request(.join(channel: "ops", token: nil))
                _ = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("one")))
                guard case .error = try await alice.request(.channelMessage(channel: "ops", from: alice.path, payload: .plain("two"))) else {
                    Issue.record("the second post was not rate limited")
                    return
                }
                let text = try await Self.scrape(server.port)
                #expect(Self.sample(text, #"conclave_limit_trips_total{limit="post-rate"}"#) == 1)
                #expect(Self.sample(text, #"conclave_refusals_total{code="internal",kind="rate_limited"}"#) == 1)
                #expect(Self.sample(text, "conclave_posts_total") == 1)
            }
        }
    }

    @Test func aSeparateMetricsAddressTakesTheScrapeOffTheClientListener() async throws {
        try await TestServer.with(metrics: .separate(host: "127.0.0.1", port: 0)) { server in
            var metricsPort: Int?
            for _ in 0..<100 where metricsPort == nil {
                metricsPort = await server.runtime.metricsPort
                if metricsPort == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let port = try #require(metricsPort)
            let onClients = try await RawSocket.httpGet(host: "127.0.0.1", port: server.port, path: "/metrics")
            #expect(onClients.hasPrefix("HTTP/1.1 404"), "\(onClients.prefix(60))")
            let text = try await Self.scrape(port)
            #expect(text.contains("conclave_sessions"))
            let health = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/health")
            #expect(health.hasPrefix("HTTP/1.1 200"))
            // Not a WebSocket endpoint: `/` is simply not there.
            let root = try await RawSocket.httpGet(host: "127.0.0.1", port: port, path: "/")
            #expect(root.hasPrefix("HTTP/1.1 404"), "\(root.prefix(60))")
        }
    }

    @Test func metricsCanBeSwitchedOff() async throws {
        try await TestServer.with(metrics: .off) { server in
            let response = try await RawSocket.httpGet(host: "127.0.0.1", port: server.port, path: "/metrics")
            #expect(response.hasPrefix("HTTP/1.1 404"))
        }
    }
}
