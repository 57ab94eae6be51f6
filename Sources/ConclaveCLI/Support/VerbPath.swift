import ArgumentParser

/// Reads the verb path of a command line (`machine add`, `channel create`) against the command
/// tree, for the usage rules the argument parser leaves to us.
enum VerbPath {
    /// Options taking a value that may come before the verb.
    private static let valuedGlobalOptions: Set<String> = ["--config-dir"]

    /// The first word where a verb was expected and none of that name exists, if any.
    static func unknownVerb(in arguments: [String], root: any ParsableCommand.Type = Conclave.self) -> String? {
        var command: any ParsableCommand.Type = root
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
                continue
            }
            if argument == "--" { return nil }
            if argument.hasPrefix("-") {
                skipNext = valuedGlobalOptions.contains(argument)
                continue
            }
            let subcommands = command.configuration.subcommands
            // A leaf verb: the rest are its own arguments.
            guard !subcommands.isEmpty else { return nil }
            // `conclave help <verb>` is the parser's own.
            if argument == "help" { return nil }
            guard let next = subcommands.first(where: { $0.configuration.commandName == argument || $0.configuration.aliases.contains(argument) }) else {
                return argument
            }
            command = next
        }
        return nil
    }

    /// Whether help or the version was asked for explicitly.
    static func asksForHelpOrVersion(_ arguments: [String]) -> Bool {
        arguments.contains { ["-h", "--help", "--version", "help"].contains($0) }
    }
}
