import Foundation
import Testing

/// `CONCLAVE_OTLP_ENDPOINT`: the server's traces and logs, exported over OTLP/HTTP to a local
/// receiver that decodes them with the OpenTelemetry project's own protobuf definitions
/// (Tests/Interop/otlp_receiver.py).
///
/// A binary built with the `OTLP` trait (as `scripts/test` builds it, which also sets
/// `CONCLAVE_REQUIRE_OTLP=1`) must export; one built without it must say so and serve anyway.
@Suite("OTLP export (serve, local receiver)")
struct OTLPExportTests {
    @Test func tracesAndLogsReachTheReceiverWithoutMessageBodies() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/otlp_receiver.py").path
        let receiver = try BackgroundProcess(["python3", script], executable: URL(fileURLWithPath: "/usr/bin/env"))
        guard let first = await receiver.stdout.first(containing: "\"port\""),
              let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any], let port = object["port"] as? Int
        else {
            Issue.record("the OTLP receiver did not start: \(receiver.stderr.all.suffix(5))")
            return
        }
        let server = try await LiveServer.start(environment: [
            "CONCLAVE_OTLP_ENDPOINT": "http://127.0.0.1:\(port)",
            // Export within a fraction of a second instead of the default 5 s batches.
            "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100",
        ])
        defer { withExtendedLifetime(server) {} }
        let exporting = server.process.stderr.all.contains { $0.contains("exporting traces and logs over OTLP") }
        let required = ProcessInfo.processInfo.environment["CONCLAVE_REQUIRE_OTLP"] == "1"
        guard exporting else {
            #expect(!required, "scripts/test builds with --traits OTLP: this binary should export")
            #expect(server.process.stderr.all.contains { $0.contains("this build has no OTLP exporter") }, "stderr: \(server.process.stderr.all.prefix(5))")
            return
        }
        let alice = Identity()
        try await alice.register("alice", machine: "laptop", on: server)
        #expect(try await alice.run(["channel", "create", "ops"]).status == 0)
        #expect(try await alice.run(["send", "--channel", "ops", "secret launch codes"]).status == 0)

        var spans: Set<String> = []
        var logs: [String] = []
        var services: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            spans = []
            logs = []
            for line in receiver.stdout.all.dropFirst() {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if let service = record["service"] as? String { services.insert(service) }
                for span in record["spans"] as? [[String: Any]] ?? [] { spans.insert(span["name"] as? String ?? "") }
                for log in record["logs"] as? [[String: Any]] ?? [] { logs.append("\(log["body"] ?? "")") }
            }
            if spans.isSuperset(of: ["conclave.handshake", "conclave.commit"]), logs.contains("session established") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(services == ["conclave"])
        #expect(spans.isSuperset(of: ["conclave.handshake", "conclave.commit"]), "spans: \(spans)")
        #expect(logs.contains("session established"), "logs: \(logs.prefix(20))")
        // The log that leaves the machine is the log on stderr: never a message body.
        #expect(!receiver.stdout.all.joined().contains("secret launch codes"))
    }
}
