import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave approvers add <user>...`.
struct ApproversAddCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add approvers (usernames).")

    @Argument(help: "Usernames.")
    var users: [String]

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("give at least one username") }
    }

    func run() throws {
        for user in users { try SessionPath.validateComponent(user, kind: .username) }
        let users = users
        try ConfigFile(directory: try global.directory()).update { config in
            for user in users where !config.approvers.contains(user) { config.approvers.append(user) }
        }
        try Output.line("✓ approvers: \(users.joined(separator: ", ")) may answer this machine's permission prompts")
    }
}
