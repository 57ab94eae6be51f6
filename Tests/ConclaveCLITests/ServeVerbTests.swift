import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("conclave serve (real binary)")
struct ServeVerbTests {
    @Test func refusesToStartWithoutAStore() async throws {
        let result = try await CLIProcess.run(["serve", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_DATA_DIR": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("data-dir"))
        #expect(result.stderr.contains("--ephemeral"))
    }

    @Test(arguments: [
        (["--ephemeral", "--bind", "nonsense"], "invalid bind address"),
        (["--ephemeral", "--bind", "127.0.0.1:0", "--admin", "root=notakey"], "invalid --admin entry"),
    ])
    func explainsBadFlags(_ arguments: [String], _ message: String) async throws {
        let result = try await CLIProcess.run(["serve"] + arguments)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message))
    }

    @Test func servesHealthLogsJSONAndStopsCleanlyOnSIGTERM() async throws {
        let server = try BackgroundProcess(["serve", "--ephemeral", "--bind", "127.0.0.1:0"], environment: ["CONCLAVE_LOG_FORMAT": "json"])
        let line = try #require(await server.stderr.first(containing: "conclave server listening"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let fields = try #require(object["fields"] as? [String: Any])
        #expect(fields["message"] as? String == "conclave server listening")
        let address = try #require(fields["addr"] as? String)
        let (body, response) = try await URLSession.shared.data(from: try #require(URL(string: "http://\(address)/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "ok")
        #expect(await server.stop() == 0)
    }

    @Test func aSecondServerOnTheSameDataDirectoryIsRefused() async throws {
        let directory = TemporaryConfig()
        let first = try BackgroundProcess(["serve", "--data-dir", directory.path, "--bind", "127.0.0.1:0"])
        #expect(await first.stderr.first(containing: "conclave server listening") != nil)
        let second = try await CLIProcess.run(["serve", "--data-dir", directory.path, "--bind", "127.0.0.1:0"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("in use by another conclave server"))
        #expect(await first.stop() == 0)
    }
}
