import Foundation
import Logging

/// One-time process setup shared by every verb.
enum ProcessSetup {
    /// Installs the stderr log handler; call once, before any logger is used.
    static func bootstrapLogging(verbose: Bool) {
        let settings = LogSettings.resolve(verbose: verbose, environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { label in
            StderrLogHandler(label: label, format: settings.format, logLevel: settings.level(forLabel: label))
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
