import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave approvers add <user>... [--server URL] [--key KEY] [--machine NAME]`.
struct ApproversAddCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add approvers on one server (usernames there).",
        discussion: """
            An approver is bound to the server: the same name on another server is someone else. \
            Prompts are sealed to the approver's machine key, so another user needs --key (the \
            output of their `conclave key`); your own user on that server needs none (the bridge \
            reads your machines' keys from the server).
            """)

    @Argument(help: "Usernames on the server.")
    var users: [String]

    // Base64url: one key in 64 begins with `-`, which must still be read as the value.
    @Option(parsing: .unconditional, help: ArgumentHelp("Pin the approver's machine key (base64url, from their `conclave key`).", valueName: "pubkey"))
    var key: String?

    @Option(help: ArgumentHelp("Ask only this machine of the approver.", valueName: "name"))
    var machine: String?

    @OptionGroup var server: ServerOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("give at least one username") }
    }

    func run() throws {
        for user in users { try SessionPath.validateComponent(user, kind: .username) }
        if let machine { try SessionPath.validateComponent(machine, kind: .machine) }
        let pinned = try key.map { text in try PublicKey(text: text.trimmingCharacters(in: .whitespaces)).text }
        let directory = try global.directory()
        let url = try server.resolve(in: directory)
        let (users, machine) = (users, machine)
        let file = ConfigFile(directory: directory)
        let own = try file.load().registration(for: url)?.username
        for user in users where pinned == nil && user != own {
            throw CLIError(
                "\(user) is not this machine's user on \(url.normalized): give --key with their public key "
                    + "(they print it with `conclave key`), so prompts can be sealed to it")
        }
        let (added, now) = try file.update { config in
            var added: [String] = []
            for user in users {
                if config.addApprover(server: url, user: user, key: pinned, machine: machine) { added.append(user) }
                // A bound entry replaces the earlier unbound form of the same name.
                config.unboundApprovers.removeAll { $0 == user }
            }
            return (added, config.approvers(for: url).map(\.user))
        }
        let unchanged = users.filter { !added.contains($0) }
        if !added.isEmpty {
            try Output.line("✓ approvers on \(url.text): \(added.joined(separator: ", ")) may now answer this machine's permission prompts")
        }
        if !unchanged.isEmpty {
            try Output.line("already listed on \(url.text): \(unchanged.joined(separator: ", ")) (nothing changed for them)")
        }
        try Output.line("approvers on \(url.text) now: \(now.joined(separator: ", "))")
    }
}
