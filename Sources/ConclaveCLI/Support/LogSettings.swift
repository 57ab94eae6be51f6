import Logging

/// Which log level and format this process uses.
///
/// Level, highest precedence first: `CONCLAVE_LOG` (a level name), `RUST_LOG` when it is a plain
/// level name (for people used to the reference), `-v` (debug), otherwise info. `-v` and these
/// variables affect only Conclave's own loggers (labels starting with `conclave`); libraries stay
/// at warning so their debug output does not drown ours. `CONCLAVE_LOG_FORMAT=json` selects one
/// JSON object per line.
struct LogSettings: Equatable {
    enum Format: Equatable {
        case human
        case json
    }

    var level: Logger.Level
    var format: Format
    /// A complaint about the environment to log once the handler is installed (a
    /// `CONCLAVE_LOG` value that is not a level), or `nil`.
    var problem: String?

    static func resolve(verbose: Bool, environment: [String: String]) -> LogSettings {
        let format: Format = environment["CONCLAVE_LOG_FORMAT"]?.lowercased() == "json" ? .json : .human
        let level = parseLevel(environment["CONCLAVE_LOG"])
            ?? parseLevel(environment["RUST_LOG"])
            ?? (verbose ? .debug : .info)
        var problem: String?
        if let text = environment["CONCLAVE_LOG"], !text.isEmpty, parseLevel(text) == nil {
            problem = "CONCLAVE_LOG=\(text) is not a level (trace, debug, info, notice, warning, error, critical or off); using \(level)"
        }
        return LogSettings(level: level, format: format, problem: problem)
    }

    /// The level for a logger with `label`.
    func level(forLabel label: String) -> Logger.Level {
        label.hasPrefix("conclave") ? level : max(level, .warning)
    }

    static func parseLevel(_ text: String?) -> Logger.Level? {
        switch text?.lowercased() {
        case "trace": .trace
        case "debug": .debug
        case "info": .info
        case "notice": .notice
        case "warn", "warning": .warning
        case "error": .error
        case "critical", "off": .critical
        default: nil
        }
    }
}
