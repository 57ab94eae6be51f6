import Foundation
import Logging

/// One-time process setup shared by every verb.
enum ProcessSetup {
    /// Installs the stderr log handler; call once, before any logger is used.
    ///
    /// With `logFile` (the bridge: Claude Code shows everything on its stderr as an error), the
    /// file gets every line at the configured level and stderr only warnings and worse, unless
    /// `-v` asks for the full log there too. `stderrFloor` raises that floor further (a hook's
    /// stderr goes to the model when it wakes a session, so hooks log to the file alone).
    static func bootstrapLogging(verbose: Bool, logFile: String? = nil, stderrFloor: Logger.Level = .warning) {
        let settings = LogSettings.resolve(verbose: verbose, environment: ProcessInfo.processInfo.environment)
        let sink = logFile.flatMap { FileLogSink(path: $0) }
        LoggingSystem.bootstrap { label in
            let level = settings.level(forLabel: label)
            let stderr = StderrLogHandler(label: label, format: settings.format, logLevel: sink == nil || verbose ? level : max(level, stderrFloor))
            guard let sink else { return stderr }
            return MultiplexLogHandler([stderr, StderrLogHandler(label: label, format: settings.format, file: sink, logLevel: level)])
        }
        if let problem = settings.problem {
            Logger(label: "conclave").warning("\(problem)")
        }
    }

    /// One-shot verbs die quietly on a closed pipe (`conclave … | head`), like other Unix tools.
    /// Long-running verbs (`serve`, `bridge`) ignore SIGPIPE and handle write errors themselves.
    static func restoreDefaultSIGPIPE() {
        signal(SIGPIPE, SIG_DFL)
    }

    /// Long-running verbs see a closed pipe as a write error (`EPIPE`) and end cleanly instead of
    /// being killed mid-write.
    static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
