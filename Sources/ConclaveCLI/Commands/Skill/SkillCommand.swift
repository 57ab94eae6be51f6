import ArgumentParser

/// `conclave skill [show | install]`.
struct SkillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skill",
        abstract: "Print or install the Claude Code skill (SKILL.md) that teaches a session to use Conclave.",
        subcommands: [SkillShowCommand.self, SkillInstallCommand.self],
        defaultSubcommand: SkillShowCommand.self
    )
}
