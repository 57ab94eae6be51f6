import ArgumentParser
import ConclaveIdentity

/// `conclave machine list`: the machines of your account.
struct MachineListCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the machines of your account.")

    @OptionGroup var server: ServerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let remote = try RemoteServer(global: global, server: server)
        let reply = try await remote.request(.listMachines)
        guard case let .machineList(machines) = reply else { throw remote.unexpected(reply) }
        var table = Table("MACHINE", "PUBLIC KEY", "ADDED")
        for machine in machines { table.append(machine.name, machine.pubkey, machine.addedAt) }
        let json = JSONDocument.array(machines.map {
            .object(["name": .string($0.name), "pubkey": .string($0.pubkey), "added_at": .string($0.addedAt)])
        })
        try Listing.emit(table, json: json, options: output, emptyNote: "no machines")
    }
}
