import ArgumentParser
import ConclaveIdentity
import ConclaveProtocol
import ConclaveTransport

/// `conclave status`: each registration's reachability, then the permission table.
struct StatusCommand: AsyncParsableCommand, GlobalOptionsProviding {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Check every registered server (in parallel) and show your permission levels.",
        discussion: "Exits with status 1 when a server is unreachable, refuses this machine's key, or knows it under another account."
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var global: GlobalOptions

    /// The outcome of probing one registration.
    struct Probe: Sendable {
        var reachable: Bool
        var sessionsOnline: Int?
        var detail: String
    }

    /// Probes are short: `status` is a quick look, not a diagnosis.
    static let probeTimeouts = TransportTimeouts(connect: .seconds(5), reply: .seconds(5))

    func run() async throws {
        let directory = try global.directory()
        let config = try ConfigFile(directory: directory).load()
        if config.servers.isEmpty, !output.json {
            Output.note("no servers registered; run `conclave register --server <url> --username <you>`")
            return
        }
        let probes = config.servers.isEmpty ? [] : try await Self.probe(config.servers, key: try KeyStore(directory: directory).load(), directory: directory)
        let failing = probes.filter { !$0.reachable }.count
        if output.json {
            try Output.line(try Self.json(config: config, probes: probes).rendered())
        } else {
            var table = Table("SERVER", "ACCOUNT", "STATUS")
            for (registration, probe) in zip(config.servers, probes) {
                table.append(registration.url, "\(registration.username)/\(registration.machine)", probe.detail)
            }
            for line in table.lines() { try Output.line(line) }
            try Output.line("")
            for line in PermissionTable.lines(for: config) { try Output.line(line) }
        }
        if failing > 0 { throw CLIError("\(failing) server(s) unreachable or not accepting this machine's key") }
    }

    /// Probes every registration at once; results are in file order.
    static func probe(_ servers: [Registration], key: SigningKey, directory: ConfigDirectory) async throws -> [Probe] {
        try await withThrowingTaskGroup(of: (Int, Probe).self) { group in
            for (index, registration) in servers.enumerated() {
                group.addTask { (index, await probe(registration, key: key, directory: directory)) }
            }
            var results = [Probe?](repeating: nil, count: servers.count)
            for try await (index, probe) in group { results[index] = probe }
            return results.map { $0 ?? Probe(reachable: false, sessionsOnline: nil, detail: "unreachable: not probed") }
        }
    }

    private static func probe(_ registration: Registration, key: SigningKey, directory: ConfigDirectory) async -> Probe {
        do {
            let url = try ServerURL(registration.url)
            let remote = RemoteServer(url: url, directory: directory, key: key, timeouts: probeTimeouts)
            let (own, reply) = try await remote.requestReportingPath(.who(channel: nil))
            guard case let .presence(_, sessions) = reply else { throw remote.unexpected(reply) }
            // The probe's own session is not someone online.
            let online = sessions.filter { $0 != own }.count
            if own.user != registration.username || own.machine != registration.machine {
                return Probe(
                    reachable: false, sessionsOnline: online,
                    detail: "key belongs to \(own.user)/\(own.machine) there, not \(registration.username)/\(registration.machine) (run `conclave server add \(url)`)")
            }
            let others = online == 1 ? "1 other session online" : "\(online) other sessions online"
            return Probe(reachable: true, sessionsOnline: online, detail: "reachable (\(others))")
        } catch let error as CLIError where error.refusedKey {
            // It answered: only the key was turned away.
            return Probe(reachable: false, sessionsOnline: nil, detail: "refused this machine's key: \(error)")
        } catch {
            return Probe(reachable: false, sessionsOnline: nil, detail: "unreachable: \(error)")
        }
    }

    private static func json(config: ClientConfig, probes: [Probe]) -> JSONDocument {
        .object([
            "servers": .array(zip(config.servers, probes).map { registration, probe in
                .object([
                    "url": .string(registration.url), "username": .string(registration.username),
                    "machine": .string(registration.machine), "reachable": .bool(probe.reachable),
                    "sessions_online": .optional(probe.sessionsOnline.map(Int64.init)),
                    "detail": .string(probe.detail),
                ])
            }),
            "permissions": .object([
                "default": .string(config.defaultPermission.token),
                "overrides": .array(config.overrides.map { override in
                    .object([
                        "server": .string(override.server),
                        "channel": .optional(override.scope.channelName),
                        "level": .string(override.level.token),
                    ])
                }),
            ]),
        ])
    }
}
