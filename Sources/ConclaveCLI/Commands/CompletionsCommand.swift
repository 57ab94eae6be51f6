import ArgumentParser

/// `conclave completions <shell>`: print a shell completion script.
struct CompletionsCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print a completion script for bash, zsh or fish.",
        discussion: """
            bash:  conclave completions bash > ~/.local/share/bash-completion/completions/conclave
            zsh:   conclave completions zsh > "${fpath[1]}/_conclave"
            fish:  conclave completions fish > ~/.config/fish/completions/conclave.fish
            """
    )

    /// The shells the argument parser can generate scripts for.
    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let script: String
        switch shell {
        case .bash: script = Conclave.completionScript(for: .bash)
        case .zsh: script = Conclave.completionScript(for: .zsh)
        case .fish: script = Conclave.completionScript(for: .fish)
        }
        try Output.line(script)
    }
}
