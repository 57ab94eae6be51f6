import ArgumentParser
import ConclaveIdentity

/// `conclave approvers list`.
struct ApproversListCommand: ParsableCommand, GlobalOptionsProviding {
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
