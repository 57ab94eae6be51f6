import ArgumentParser

/// `conclave skill show`: prints SKILL.md.
struct SkillShowCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print SKILL.md.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Output.write(SkillText.render())
    }
}
