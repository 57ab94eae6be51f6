import ArgumentParser
import ConclaveIdentity

/// `conclave approvers remove <user>...`.
struct ApproversRemoveCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove approvers.")

    @Argument(help: "Usernames.")
    var users: [String]

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let users = users
        let missing = try ConfigFile(directory: try global.directory()).update { config -> [String] in
            let missing = users.filter { !config.approvers.contains($0) }
            config.approvers.removeAll { users.contains($0) }
            return missing
        }
        if !missing.isEmpty { Output.note("note: not approvers: \(missing.joined(separator: ", "))") }
        try Output.line("✓ removed \(users.filter { !missing.contains($0) }.count) approver(s)")
    }
}
