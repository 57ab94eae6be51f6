import ArgumentParser
import ConclaveIdentity

/// `conclave approvers list`.
struct ApproversListCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the approvers.")

    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let approvers = try ConfigFile(directory: try global.directory()).load().approvers
        try Listing.emit(users: approvers, header: "APPROVER", options: output, emptyNote: "no approvers: permission prompts are answered locally only")
    }
}
