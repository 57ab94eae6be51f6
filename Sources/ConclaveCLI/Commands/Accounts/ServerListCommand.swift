import ArgumentParser
import ConclaveIdentity

/// `conclave server list`: registrations in file order; no network.
struct ServerListCommand: ParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the servers this machine is registered on.")

    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let servers = try ConfigFile(directory: try global.directory()).load().servers
        var table = Table("SERVER", "USERNAME", "MACHINE")
        for server in servers { table.append(server.url, server.username, server.machine) }
        let json = JSONDocument.array(servers.map {
            .object(["url": .string($0.url), "username": .string($0.username), "machine": .string($0.machine)])
        })
        try Listing.emit(table, json: json, options: output, emptyNote: "no servers registered (see `conclave register`)")
    }
}
