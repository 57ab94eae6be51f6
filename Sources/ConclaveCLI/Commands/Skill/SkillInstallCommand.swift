import ArgumentParser
import Foundation

/// `conclave skill install [--dir D]`: writes SKILL.md under the Claude Code skills directory.
struct SkillInstallCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write SKILL.md to <dir>/conclave/SKILL.md (default dir: ~/.claude/skills).")

    @Option(help: ArgumentHelp("The skills directory.", valueName: "dir"))
    var dir: String?

    @Flag(help: "Replace an existing SKILL.md that differs from this version's (edited by hand, or from another release).")
    var force = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = try Self.installPath(skillsDirectory: dir, environment: ProcessInfo.processInfo.environment)
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIError("failed to create `\(folder)`: \(error.localizedDescription)")
        }
        let text = SkillText.render()
        if let existing = FileManager.default.contents(atPath: path) {
            if existing == Data(text.utf8) {
                try Output.line("✓ the conclave skill at \(path) is already up to date")
                return
            }
            guard force else {
                throw CLIError("\(path) exists and differs from this version's skill (edited by hand, or from another release); pass --force to replace it")
            }
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("failed to write `\(path)`: \(error)")
        }
        try Output.line("✓ installed the conclave skill to \(path)")
    }

    /// `<dir>/conclave/SKILL.md`, with `dir` defaulting to `$HOME/.claude/skills`.
    static func installPath(skillsDirectory: String?, environment: [String: String]) throws -> String {
        if let skillsDirectory { return skillsDirectory + "/conclave/SKILL.md" }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw CLIError("could not determine the home directory: set HOME or pass --dir")
        }
        return home + "/.claude/skills/conclave/SKILL.md"
    }
}
