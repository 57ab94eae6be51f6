import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol

/// `conclave approvers`: who may answer this machine's Claude Code permission prompts.
struct ApproversCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvers",
        abstract: "List, add or remove the users who may answer this machine's Claude Code permission prompts.",
        discussion: """
            When a session asks Claude Code for permission to run a tool, the bridge whispers the \
            request to the live sessions of these users (on the same server), who answer with \
            `conclave approve`. With no approvers, nothing is relayed and only the local prompt decides. \
            Running bridges pick up changes within a second.
            """,
        subcommands: [List.self, Add.self, Remove.self]
    )
}

extension ApproversCommand {
    /// `conclave approvers add <user>... [--server URL] [--key KEY] [--machine NAME]`.
    struct Add: ParsableCommand, GlobalOptionsProviding {
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
}

extension ApproversCommand {
    /// `conclave approvers list`.
    struct List: ParsableCommand, GlobalOptionsProviding {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the approvers.")

        @OptionGroup var output: OutputOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let config = try ConfigFile(directory: try global.directory()).load()
            var table = Table("SERVER", "APPROVER", "MACHINE", "KEY")
            var json: [JSONDocument] = []
            for approver in config.approvers {
                table.append(approver.server, approver.user, approver.machine ?? "any", approver.key ?? "from the server (own user)")
                json.append(.object([
                    "server": .string(approver.server), "username": .string(approver.user),
                    "machine": approver.machine.map(JSONDocument.string) ?? .null, "key": approver.key.map(JSONDocument.string) ?? .null,
                ]))
            }
            for user in config.unboundApprovers {
                table.append("(none: ignored)", user, "-", "-")
                json.append(.object(["server": .null, "username": .string(user), "ignored": .bool(true)]))
            }
            try Listing.emit(table, json: .array(json), options: output, emptyNote: "no approvers: permission prompts are answered locally only")
            if !config.unboundApprovers.isEmpty {
                Output.note(
                    "⚠ \(config.unboundApprovers.joined(separator: ", ")): listed without a server by an earlier version, so trusted nowhere; "
                        + "re-add each with `conclave approvers add NAME --server URL` (and --key for another user)")
            }
        }
    }
}

extension ApproversCommand {
    /// `conclave approvers remove <user>... [--server URL]`.
    struct Remove: ParsableCommand, GlobalOptionsProviding {
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
}
