import Foundation

/// Headless Chromium driven by Selenium (Tests/Interop/browser_driver.py), one command at a time.
final class BrowserDriver {
    let process: BackgroundProcess
    private var answered = 0

    init() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/browser_driver.py").path
        process = try BackgroundProcess(["python3", script], interactive: true, executable: URL(fileURLWithPath: "/usr/bin/env"))
        guard await process.stdout.first(containing: "\"ready\": true", timeout: .seconds(60)) != nil else {
            throw LiveServerError(detail: "the browser did not start: \(process.stderr.all.suffix(10))")
        }
        answered = 1
    }

    /// Sends one command and returns its reply; a failed command throws with the driver's reason.
    @discardableResult
    func run(_ command: [String: Any], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        try process.send(String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self))
        let lines = await process.stdout.waitForCount(answered + 1, timeout: timeout)
        guard lines.count > answered else {
            throw LiveServerError(detail: "no answer to \(command); stderr: \(process.stderr.all.suffix(10))")
        }
        let line = lines[answered]
        answered += 1
        let reply = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        guard reply["ok"] as? Bool == true else {
            throw LiveServerError(detail: "browser: \(command["op"] ?? "?") failed: \(reply["error"] ?? line)")
        }
        return reply
    }

    func open(_ url: String) async throws { try await run(["op": "open", "url": url]) }

    /// Waits until an element matching `css` contains `text`; returns how long it took, in seconds.
    @discardableResult
    func wait(for css: String, containing text: String, timeout: Double = 10) async throws -> Double {
        try await run(["op": "wait", "css": css, "text": text, "timeout": timeout])["elapsed"] as? Double ?? .infinity
    }

    func click(_ css: String, containing text: String? = nil) async throws {
        var command: [String: Any] = ["op": "click", "css": css]
        if let text { command["text"] = text }
        try await run(command)
    }

    func type(_ text: String, into css: String) async throws { try await run(["op": "type", "css": css, "text": text]) }
    func submit(_ css: String) async throws { try await run(["op": "submit", "css": css]) }
    func select(_ value: String, in css: String) async throws { try await run(["op": "select", "css": css, "value": value]) }
    func texts(_ css: String) async throws -> [String] { try await run(["op": "texts", "css": css])["texts"] as? [String] ?? [] }
    func screenshot(_ path: String) async throws { try await run(["op": "screenshot", "path": path]) }

    /// The id of the focused element after pressing Tab.
    func tab() async throws -> String {
        try await run(["op": "tab"])
        return try await run(["op": "active"])["id"] as? String ?? ""
    }

    /// Asks the driver to quit the browser; it ends on its own (end of input ends it too).
    func close() {
        try? process.send("{\"op\": \"quit\"}")
        try? process.closeInput()
    }
}
