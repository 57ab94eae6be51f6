import ArgumentParser
import ConclaveIdentity

/// `conclave perm show`: the machine default and every override, in file order.
struct PermShowCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the default level and every override."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let config = try ConfigFile(directory: try global.directory()).load()
        for line in PermissionTable.lines(for: config) {
            try Output.line(line)
        }
    }
}

/// The `perm show` table, also printed by `status`.
enum PermissionTable {
    /// `default: <level>`, then `<server> <channel or <whisper>> -> <level>` per override.
    static func lines(for config: ClientConfig) -> [String] {
        ["default: \(config.defaultPermission)"]
            + config.overrides.map { "\($0.server) \($0.scope) -> \($0.level)" }
    }
}
