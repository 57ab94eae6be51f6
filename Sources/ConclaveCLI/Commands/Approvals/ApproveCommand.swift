import ArgumentParser
import ConclaveBridge
import ConclaveProtocol
import ConclaveTransport
import Foundation

/// `conclave approve`: receives permission requests relayed by other users' bridges and answers
/// them, one by one, from this terminal.
struct ApproveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Answer Claude Code permission prompts relayed to you (allow or deny, one by one).",
        discussion: """
            Stays connected and shows each request as it arrives; answer y to allow, anything else to \
            deny. Requests come from bridges whose user listed you with `conclave approvers add`. \
            Ends at end of input or with Ctrl-C.
            """
    )

    @Option(name: .customLong("as"), help: ArgumentHelp("Session handle (default: approve-<pid>).", valueName: "session"))
    var session: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let handle = session ?? "approve-\(ProcessInfo.processInfo.processIdentifier)"
        try SessionPath.validateComponent(handle, kind: .session)
        let remote = try RemoteServer(global: global, server: server, session: handle)
        let interrupt = InterruptSignal.exitOnInterrupt()
        defer { interrupt.cancel() }
        let answers = AnswerSource()
        try await remote.explained {
            try await remote.client.withSession { session in
                Output.note("waiting for permission requests as \(session.path) on \(remote.url) — Ctrl-C to stop")
                let outbound = session.outbound
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(20))
                            try await outbound.send(.ping)
                        }
                    }
                    while true {
                        let frame = try await session.next(within: .seconds(45), waitingFor: "any frame (keepalive)")
                        guard case let .whisper(from, _, .plain(text)) = frame,
                            case let .request(requestID, toolName, description, preview)? = RelayMessage(text: text)
                        else { continue }
                        try Output.line("permission request \(requestID) from \(from):")
                        try Output.line("  tool: \(TerminalText.sanitized(toolName))")
                        if !description.isEmpty { try Output.line("  what: \(TerminalText.sanitized(description))") }
                        if !preview.isEmpty { try Output.line("  input: \(TerminalText.sanitized(preview))") }
                        try Output.write("allow? [y/N] ")
                        guard let answer = await answers.next() else { return }
                        let allow = ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
                        let verdict = RelayMessage.verdict(requestID: requestID, allow: allow).text
                        let reply = try await session.request(.whisper(from: session.path, target: from, payload: .plain(verdict)))
                        if case let .error(error) = reply {
                            Output.note("⚠ could not answer \(from): \(error)")
                        } else {
                            try Output.line(allow ? "✓ allowed" : "✓ denied")
                        }
                    }
                }
            }
        }
    }
}

/// Lines typed by the person, read off the cooperative pool.
private final class AnswerSource: Sendable {
    private let lines = StdinLines.start()

    func next() async -> String? {
        for await line in lines {
            guard let line else { continue }
            return String(decoding: line, as: UTF8.self)
        }
        return nil
    }
}
