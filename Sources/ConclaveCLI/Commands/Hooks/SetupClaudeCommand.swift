import ArgumentParser
import ConclaveBridge
import Foundation

/// `conclave setup claude [--project DIR] [--delivery hooks|channel] [--undo]`: registers the
/// bridge with Claude Code for one project and installs the delivery hooks, idempotently.
struct SetupClaudeCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Register the bridge with Claude Code for a project and install its delivery hooks.",
        discussion: """
            Writes Conclave's hooks into <project>/.claude/settings.local.json (other settings and \
            hooks are kept) and registers the bridge in Claude Code's local scope for the project \
            (`claude mcp add --scope local conclave -- conclave bridge --delivery hooks`). Hooks \
            deliver inbound messages to the model for every account type, without the channels \
            feature; --delivery channel registers a push-only bridge and installs no hooks. Running \
            it again replaces what it wrote; --undo removes it.
            """
    )

    @Option(help: ArgumentHelp("The project directory.", valueName: "dir"))
    var project: String?

    @Option(help: ArgumentHelp("How messages reach the model: hooks (works everywhere) or channel (push; needs Claude Code's channels feature).", valueName: "mode"), transform: DeliveryMode.parse)
    var delivery: DeliveryMode = .hooks

    @Option(help: ArgumentHelp("The Claude Code executable used to register the bridge (default: `claude` on PATH).", valueName: "path"))
    var claude: String?

    @Flag(help: "Only write the hooks; print the registration command instead of running it.")
    var noRegister = false

    @Flag(help: "Remove Conclave's hooks and registration from the project.")
    var undo = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let projectPath = URL(fileURLWithPath: project ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: projectPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("no project directory at `\(projectPath)`")
        }
        let settingsPath = projectPath + "/.claude/settings.local.json"
        let words = launcherWords()
        let launcher = words.map(ClaudeHookSettings.shellWord).joined(separator: " ")
        let edit = ClaudeHookSettings(launcher: launcher)
        let current = try Self.readSettings(settingsPath)
        let updated = undo || delivery == .channel ? ClaudeHookSettings.removing(from: current) : edit.installing(into: current)
        if (updated as NSDictionary) != (current as NSDictionary) {
            try Self.writeSettings(updated, to: settingsPath)
            try Output.line(undo || delivery == .channel ? "✓ removed Conclave's hooks from \(settingsPath)" : "✓ wrote Conclave's hooks to \(settingsPath)")
        } else {
            try Output.line("✓ \(settingsPath) already \(undo || delivery == .channel ? "has no Conclave hooks" : "has Conclave's hooks")")
        }
        try register(launcher: words, projectPath: projectPath)
    }

    /// `conclave` as the hooks and the registration start it: this executable's absolute path,
    /// with `--config-dir` when one was given (unquoted words).
    func launcherWords() -> [String] {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.resolvingSymlinksInPath().path
        var words = [executable]
        if let configDir = global.configDir {
            words += ["--config-dir", URL(fileURLWithPath: configDir).standardizedFileURL.path]
        }
        return words
    }

    /// Registers (or with `--undo` removes) the bridge in Claude Code's local scope, through
    /// Claude Code's own `claude mcp` commands.
    func register(launcher: [String], projectPath: String) throws {
        let bridge = launcher + ["bridge", "--delivery", delivery.rawValue]
        let add = ["mcp", "add", "--scope", "local", "conclave", "--"] + bridge
        let remove = ["mcp", "remove", "--scope", "local", "conclave"]
        let shown = "claude " + (undo ? remove : add).map(ClaudeHookSettings.shellWord).joined(separator: " ")
        guard !noRegister, let claudePath = claude ?? Self.findOnPath("claude") else {
            try Output.line(noRegister ? "Register the bridge with: (cd \(ClaudeHookSettings.shellWord(projectPath)) && \(shown))"
                : "Claude Code's `claude` is not on PATH: register the bridge with: (cd \(ClaudeHookSettings.shellWord(projectPath)) && \(shown))")
            return
        }
        // `add` refuses a name that exists: remove first, so running setup again replaces it.
        let removed = try Self.runClaude(claudePath, remove, in: projectPath)
        if undo {
            try Output.line(removed.status == 0 ? "✓ removed the conclave MCP server from Claude Code (local scope)" : "✓ no conclave MCP server was registered for \(projectPath)")
            return
        }
        let added = try Self.runClaude(claudePath, add, in: projectPath)
        guard added.status == 0 else {
            throw CLIError("`\(shown)` failed (exit \(added.status)): \(added.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        try Output.line("✓ registered the bridge with Claude Code for \(projectPath) (delivery: \(delivery.rawValue))")
    }

    static func runClaude(_ path: String, _ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError("could not run `\(path)`: \(error.localizedDescription)")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output.prefix(4096), as: UTF8.self))
    }

    static func findOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The settings file as a JSON object (empty when there is none); anything else is an error
    /// that leaves the file alone.
    static func readSettings(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard data.count <= 4 << 20 else { throw CLIError("`\(path)` is larger than 4 MiB; not editing it") }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("`\(path)` is not a JSON object; fix it by hand, then run this again (it was left untouched)")
        }
        return object
    }

    static func writeSettings(_ settings: [String: Any], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var data = try JSONSerialization.data(withJSONObject: settings, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            data.append(0x0A)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("failed to write `\(path)`: \(error.localizedDescription)")
        }
    }
}

extension DeliveryMode {
    /// Parses `--delivery`.
    static func parse(_ text: String) throws -> DeliveryMode {
        guard let mode = DeliveryMode(rawValue: text) else {
            throw ValidationError("unknown delivery `\(text)` (expected hooks or channel)")
        }
        return mode
    }
}
