import ArgumentParser
import ConclaveIdentity
import Foundation

/// Options every verb accepts, before or after the verb name.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("config-dir"),
        help: ArgumentHelp(
            "Directory holding this machine's key and config.toml.",
            discussion: "Default: $XDG_CONFIG_HOME/conclave, else ~/.config/conclave.",
            valueName: "dir"))
    var configDir: String?

    @Flag(name: [.short, .long], help: "Log Conclave's own debug messages to stderr.")
    var verbose = false

    /// The resolved config directory.
    func directory() throws -> ConfigDirectory {
        try ConfigDirectory.resolve(override: configDir, environment: ProcessInfo.processInfo.environment)
    }
}
