import ArgumentParser
import ConclaveBridge
import ConclaveIdentity
import ConclaveClient
import ConclaveProtocol
import ConclaveTransport
import Foundation
import Synchronization

/// `conclave approve`: receives permission requests relayed by bridges that named this machine's
/// user as an approver, opens them with this machine's key, and answers them one by one.
struct ApproveCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Answer Claude Code permission prompts relayed to you (allow or deny, one by one).",
        discussion: """
            Stays connected and shows each request as it arrives; answer y to allow, anything else to \
            deny. Requests come from bridges whose user listed you with `conclave approvers add`; they \
            are sealed to this machine's key, so only this command can read and answer them. Ends at \
            end of input or with Ctrl-C.
            """
    )

    @Option(name: .customLong("as"), help: ArgumentHelp("Session handle (default: approve-<pid>).", valueName: "session"))
    var session: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let handle = session ?? "approve-\(ProcessInfo.processInfo.processIdentifier)"
        try SessionPath.validateComponent(handle, kind: .session)
        let directory = try global.directory()
        let key = try KeyStore(directory: directory).load()
        let url = try server.resolve(in: directory)
        let remote = RemoteServer(
            url: url, directory: directory, key: key, session: handle,
            tls: RemoteServer.trust(for: url, in: directory, caFile: server.caFile))
        let interrupt = InterruptSignal.exitOnInterrupt()
        defer { interrupt.cancel() }
        let (answers, typed) = AsyncStream<String>.makeStream()
        try await remote.explained {
            try await remote.client.withSession { session in
                Output.note("waiting for permission requests as \(session.path) on \(remote.url) — Ctrl-C or end of input to stop")
                let outbound = session.outbound
                let inputEnded = EndOfInput()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The person's lines. End of input ends the command even while nothing is
                    // asked: closing the connection wakes the frame loop below.
                    group.addTask {
                        for await line in StdinLines.start() {
                            guard let line else { continue }
                            typed.yield(String(decoding: line, as: UTF8.self))
                        }
                        typed.finish()
                        inputEnded.flag.store(true, ordering: .sequentiallyConsistent)
                        await outbound.close()
                    }
                    defer { group.cancelAll() }
                    var answerLines = answers.makeAsyncIterator()
                    do {
                        _ = try await session.stream(pingEvery: .seconds(20), silenceLimit: .seconds(45)) { session, frame -> Bool? in
                            guard case let .whisper(from, _, .plain(text)) = frame, case let .request(sealed)? = RelayMessage(text: text) else {
                                return nil
                            }
                            guard let prompt = ApprovalPrompt(opening: sealed, with: key) else {
                                Output.note("⚠ a permission request from \(TerminalText.sanitized(from.description)) was not sealed to this machine's key; ignored")
                                return nil
                            }
                            guard prompt.requester == from.description else {
                                Output.note("⚠ \(TerminalText.sanitized(from.description)) forwarded a request made by \(TerminalText.sanitized(prompt.requester)); ignored")
                                return nil
                            }
                            try Self.show(prompt, from: from)
                            guard let answer = await answerLines.next() else { return true }
                            let allow = ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
                            let reply = try await session.request(.whisper(from: session.path, target: from, payload: .plain(prompt.verdict(allow: allow).text)))
                            if case let .error(error) = reply {
                                Output.note("⚠ could not answer \(TerminalText.sanitized(from.description)): \(TerminalText.sanitized("\(error)"))")
                            } else {
                                try Output.line(allow ? "✓ allowed" : "✓ denied")
                            }
                            return nil
                        }
                    } catch {
                        if inputEnded.flag.load(ordering: .sequentiallyConsistent) { return }
                        throw error
                    }
                }
            }
        }
    }

    /// Prints a request; every field came from another machine, so all are sanitised.
    private static func show(_ prompt: ApprovalPrompt, from: SessionPath) throws {
        try Output.line("permission request \(TerminalText.sanitized(prompt.requestID)) from \(TerminalText.sanitized(from.description)):")
        try Output.line("  tool: \(TerminalText.sanitized(prompt.toolName))")
        if !prompt.description.isEmpty { try Output.line("  what: \(TerminalText.sanitized(prompt.description))") }
        if !prompt.inputPreview.isEmpty { try Output.line("  input: \(TerminalText.sanitized(prompt.inputPreview))") }
        try Output.write("allow? [y/N] ")
    }
}

/// Set once stdin has ended, so the frame loop takes the closed connection as a normal end.
private final class EndOfInput: Sendable {
    let flag = Atomic(false)
}
