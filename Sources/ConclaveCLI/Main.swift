import ArgumentParser
import ConclaveIdentity
import Foundation

/// Parses the command line, runs the verb and maps outcomes to exit codes:
/// 0 success, 1 runtime error (one `❌` line on stderr), 2 usage error (message and usage).
///
/// Usage errors, the reference's (clap's) rule: a bad or missing value, an unknown verb (also
/// with `--help`), and a command group named without one of its verbs (`conclave`, `conclave
/// machine`), which prints its help on stderr. Help asked for with `--help`, `-h` or `help`, and
/// `--version`, go to stdout with status 0.
@main
enum Main {
    nonisolated static func main() async {
        let command: any ParsableCommand
        do {
            command = try Conclave.parseAsRoot()
        } catch {
            exitForParseOutcome(error)
        }
        let global = (command as? any GlobalOptionsProviding)?.global
        // The bridge and its hooks keep their log in the config directory: Claude Code shows a
        // bridge's stderr as errors, and hands a waking hook's stderr to the model.
        let logFile = command is BridgeCommand || command is HookCommand ? (try? global?.directory()).map { directory -> String in
            try? directory.create()
            return directory.path + "/bridge.log"
        } : nil
        ProcessSetup.bootstrapLogging(
            verbose: global?.verbose ?? false, logFile: logFile, stderrFloor: command is HookCommand ? .critical : .warning)
        if command is any LongRunningVerb {
            ProcessSetup.ignoreSIGPIPE()
        } else {
            ProcessSetup.restoreDefaultSIGPIPE()
        }
        do {
            if let parsed = command as? any AsyncParsableCommand {
                // The parsed command is owned by this function alone; nothing else can touch it
                // while `run()` executes, so handing it across isolation is safe.
                nonisolated(unsafe) var asyncCommand = parsed
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // The parser's own outcomes (help, version, validation) have their own exit codes;
            // everything else is a failure of the verb: one line, exit 1.
            guard Conclave.exitCode(for: error) == .failure else { exitForParseOutcome(error) }
            Output.error("\(error)")
            Foundation.exit(1)
        }
    }

    /// Help, version and usage errors, as the argument parser describes them; usage errors exit 2.
    private static func exitForParseOutcome(_ error: any Error) -> Never {
        let code = Conclave.exitCode(for: error)
        let message = Conclave.fullMessage(for: error)
        if code == .success {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if let unknown = VerbPath.unknownVerb(in: arguments) {
                Output.note("Error: unknown verb '\(unknown)'\n\(Conclave.helpMessage())")
                Foundation.exit(2)
            }
            if !message.isEmpty, !VerbPath.asksForHelpOrVersion(arguments) {
                // A group without its verb: the help says which verbs exist, but it is a mistake.
                Output.note(message)
                Foundation.exit(2)
            }
            if !message.isEmpty { try? Output.line(message) }
            Foundation.exit(0)
        }
        Output.note(message)
        if code == .validationFailure || error is ValidationError {
            Foundation.exit(2)
        }
        Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
}

/// Verbs that run until stopped (`serve`, `bridge`): they keep SIGPIPE ignored.
protocol LongRunningVerb {}
