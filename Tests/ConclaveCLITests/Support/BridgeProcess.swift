import Foundation

/// A real `conclave bridge` process driven over stdio, as Claude Code would drive it.
final class BridgeProcess {
    let process: BackgroundProcess
    private var nextID = 100

    init(_ identity: Identity, arguments: [String] = [], directory: String? = nil, environment: [String: String] = [:]) throws {
        process = try BackgroundProcess(
            ["--config-dir", identity.config.path, "bridge"] + arguments, environment: environment, interactive: true, directory: directory)
    }

    /// Sends `initialize` and `notifications/initialized`; returns the initialize result.
    @discardableResult
    func initialize() async throws -> [String: Any] {
        let response = try await request("initialize", ["protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]])
        try send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        return response["result"] as? [String: Any] ?? [:]
    }

    func send(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try process.send(String(decoding: data, as: UTF8.self))
    }

    /// Sends a request and waits for the response with its id.
    func request(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
        nextID += 1
        let id = nextID
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        guard let response = await message(timeout: .seconds(30), where: { ($0["id"] as? Int) == id }) else {
            throw LiveServerError(detail: "no response to \(method) #\(id); stderr: \(process.stderr.all.suffix(5))")
        }
        return response
    }

    /// Calls a tool; returns its text and whether it is an error.
    /// Calls `tool` until its text starts with `expected` (a level raised by `conclave perm set`
    /// reaches a running bridge within a second or so) or 10 s pass; returns the last text.
    func call(_ tool: String, _ arguments: [String: Any], until expected: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(10)
        var text = try await call(tool, arguments).text
        while !text.hasPrefix(expected), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            text = try await call(tool, arguments).text
        }
        return text
    }

    func call(_ tool: String, _ arguments: [String: Any] = [:]) async throws -> (text: String, isError: Bool) {
        let response = try await request("tools/call", ["name": tool, "arguments": arguments])
        let result = response["result"] as? [String: Any]
        let text = ((result?["content"] as? [[String: Any]])?.first?["text"] as? String) ?? "\(response)"
        return (text, result?["isError"] as? Bool ?? false)
    }

    /// The names of the offered tools.
    func toolNames() async throws -> [String] {
        let response = try await request("tools/list")
        let tools = (response["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []
        return tools.compactMap { $0["name"] as? String }
    }

    /// Every JSON message written so far.
    var messages: [[String: Any]] {
        process.stdout.all.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The first message (from the start of output) matching `predicate`, waiting up to `timeout`.
    func message(timeout: Duration = .seconds(20), where predicate: ([String: Any]) -> Bool) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if let found = messages.first(where: predicate) { return found }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// A `notifications/claude/channel` whose content contains `text`.
    func injection(containing text: String, timeout: Duration = .seconds(20)) async -> [String: Any]? {
        await message(timeout: timeout) { message in
            message["method"] as? String == "notifications/claude/channel"
                && ((message["params"] as? [String: Any])?["content"] as? String)?.contains(text) == true
        }
    }
}
