import ConclaveBridge
import Foundation

/// The hooks `conclave setup claude` writes into a project's `.claude/settings.local.json`, and
/// the edit that adds or removes them while keeping everything else in the file.
///
/// A hook is ours when its command runs an executable named `conclave` with the `hook` verb and
/// one of our events; other hooks, and every other setting, are left exactly as they were.
struct ClaudeHookSettings {
    /// The command that starts `conclave` (the executable, and `--config-dir` when one was given).
    let launcher: String

    /// How long Claude Code lets the waiter run: a little beyond its own `--timeout`.
    static let waiterTimeoutSeconds = 8 * 3600 + 60

    /// The hook entries, per Claude Code event.
    var hooks: [String: [[String: Any]]] {
        func command(_ event: HookEvent) -> [String: Any] {
            ["type": "command", "command": "\(launcher) hook \(event.rawValue)"]
        }
        var waiter = command(.wait)
        waiter["asyncRewake"] = true
        waiter["timeout"] = Self.waiterTimeoutSeconds
        return [
            "SessionStart": [["hooks": [command(.sessionStart), waiter]]],
            "UserPromptSubmit": [["hooks": [command(.userPromptSubmit)]]],
            "PostToolUse": [["matcher": "*", "hooks": [command(.postToolUse)]]],
            "Stop": [["hooks": [command(.stop), waiter]]],
            "SessionEnd": [["hooks": [command(.sessionEnd)]]],
        ]
    }

    /// `settings` with our hooks in place of any earlier ones of ours.
    func installing(into settings: [String: Any]) -> [String: Any] {
        var result = Self.removing(from: settings)
        var all = result["hooks"] as? [String: Any] ?? [:]
        for (event, groups) in hooks {
            all[event] = (all[event] as? [Any] ?? []) + groups
        }
        result["hooks"] = all
        return result
    }

    /// `settings` without any hook of ours; an event or `hooks` table left empty is removed.
    static func removing(from settings: [String: Any]) -> [String: Any] {
        var result = settings
        guard var all = settings["hooks"] as? [String: Any] else { return result }
        for (event, value) in all {
            guard let groups = value as? [Any] else { continue }
            let kept: [Any] = groups.compactMap { group in
                guard var object = group as? [String: Any], let entries = object["hooks"] as? [Any] else { return group }
                let others = entries.filter { !isOurs($0) }
                if others.count == entries.count { return group }
                if others.isEmpty { return nil }
                object["hooks"] = others
                return object
            }
            all[event] = kept.isEmpty ? nil : kept
        }
        result["hooks"] = all.isEmpty ? nil : all
        return result
    }

    /// Whether a hook entry runs `conclave … hook <one of our events>`: an executable named
    /// `conclave` (its path quoted or not), and `hook <event>` at the end.
    static func isOurs(_ entry: Any) -> Bool {
        guard let command = (entry as? [String: Any])?["command"] as? String else { return false }
        let trimmed = command.trimmingCharacters(in: .whitespaces)
        guard HookEvent.allCases.contains(where: { trimmed.hasSuffix(" hook \($0.rawValue)") }) else { return false }
        return (firstWord(of: trimmed) as NSString).lastPathComponent == "conclave"
    }

    /// The first word of a command line, unquoted when it is in single quotes.
    static func firstWord(of command: String) -> String {
        guard command.hasPrefix("'") else { return String(command.prefix { $0 != " " }) }
        var word = ""
        var rest = command.dropFirst()
        while let quote = rest.firstIndex(of: "'") {
            word += rest[..<quote]
            rest = rest[rest.index(after: quote)...]
            // `'\''` continues the word with a literal quote.
            guard rest.hasPrefix("\\''") else { break }
            word += "'"
            rest = rest.dropFirst(3)
        }
        return word
    }

    /// A word for a shell command line: quoted when it holds anything but safe characters.
    static func shellWord(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+")
        guard !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) else {
            return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        return text
    }
}
