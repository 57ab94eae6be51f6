import ArgumentParser
import ConclaveIdentity

/// `conclave approvers remove <user>... [--server URL]`.
struct ApproversRemoveCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove approvers (every entry of each name on the server, and unbound ones).")

    @Argument(help: "Usernames.")
    var users: [String]

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let directory = try global.directory()
        let url = try server.resolve(in: directory)
        let users = users
        let removed = try ConfigFile(directory: directory).update { config -> Int in
            let before = config.approvers.count + config.unboundApprovers.count
            config.approvers.removeAll { $0.matches(url) && users.contains($0.user) }
            config.unboundApprovers.removeAll { users.contains($0) }
            return before - config.approvers.count - config.unboundApprovers.count
        }
        if removed == 0 { Output.note("note: no approver entry matched on \(url.normalized)") }
        try Output.line("✓ removed \(removed) approver entr\(removed == 1 ? "y" : "ies")")
    }
}
