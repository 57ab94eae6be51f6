import ConclaveProtocol
internal import TOMLKit

/// Converts between ``ClientConfig`` and the reference's `config.toml` text.
///
/// Reading is strict about the keys it knows (wrong types and unknown levels are errors that
/// name the entry) and ignores keys it does not know, as the reference does.
enum ConfigTOML {
    /// Why a document is not a valid configuration; the text names the offending key.
    struct Problem: Error {
        let detail: String
    }

    /// The value of `url_style` that marks URLs stored as the user wrote them.
    static let urlStyleAsWritten = "as-written"

    static func parse(_ text: String) throws(Problem) -> ClientConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Problem(detail: "\(error.description) (line \(error.source.begin.line), column \(error.source.begin.column))")
        } catch {
            throw Problem(detail: "\(error)")
        }
        var config = ClientConfig(urlsAsWritten: table["url_style"]?.string == urlStyleAsWritten)
        if let value = table["default_permission"] {
            config.defaultPermission = try level(value, at: "default_permission")
        }
        for (index, entry) in try tables(table["servers"], at: "servers").enumerated() {
            let at = "servers[\(index)]"
            config.servers.append(Registration(
                url: try string(entry["url"], at: "\(at).url"),
                username: try string(entry["username"], at: "\(at).username"),
                machine: try string(entry["machine"], at: "\(at).machine"),
                caFile: try entry["ca_file"].map { value throws(Problem) in try string(value, at: "\(at).ca_file") }))
        }
        if let value = table["approvers"] {
            // The earlier form: bare usernames, bound to no server, hence trusted nowhere.
            guard let array = value.array else { throw Problem(detail: "`approvers` must be an array of usernames") }
            config.unboundApprovers = try array.enumerated().map { index, element throws(Problem) in
                try string(element, at: "approvers[\(index)]")
            }
        }
        for (index, entry) in try tables(table["approver"], at: "approver").enumerated() {
            let at = "approver[\(index)]"
            let optional = { (name: String) throws(Problem) -> String? in
                try entry[name].map { value throws(Problem) in try string(value, at: "\(at).\(name)") }
            }
            config.approvers.append(Approver(
                storedServer: try string(entry["server"], at: "\(at).server"), user: try string(entry["user"], at: "\(at).user"),
                key: try optional("key"), machine: try optional("machine")))
        }
        if let value = table["flood"] {
            guard let flood = value.table else { throw Problem(detail: "`flood` must be a table") }
            for key in flood.keys {
                // Unknown keys are ignored, like everywhere else in the file.
                guard let number = flood[key]?.int else { throw Problem(detail: "`flood.\(key)` must be a whole number") }
                guard number >= 0 else { throw Problem(detail: "`flood.\(key)` must be 0 (off) or more") }
                _ = config.flood.set(key, number)
            }
        }
        for (index, entry) in try tables(table["overrides"], at: "overrides").enumerated() {
            let at = "overrides[\(index)]"
            let channel = try entry["channel"].map { value throws(Problem) in try string(value, at: "\(at).channel") }
            config.overrides.append(PermissionOverride(
                server: try string(entry["server"], at: "\(at).server"),
                scope: channel.map(PermissionScope.channel) ?? .whisper,
                level: try level(entry["level"], at: "\(at).level")))
        }
        return config
    }

    static func render(_ config: ClientConfig) -> String {
        let document = TOMLTable()
        document["default_permission"] = config.defaultPermission.token
        if config.urlsAsWritten {
            document["url_style"] = urlStyleAsWritten
        }
        if !config.servers.isEmpty {
            let servers = TOMLArray()
            for server in config.servers {
                let entry = TOMLTable(["url": server.url, "username": server.username, "machine": server.machine] as [String: any TOMLValueConvertible])
                if let caFile = server.caFile { entry["ca_file"] = caFile }
                servers.append(entry)
            }
            document["servers"] = servers
        }
        if !config.overrides.isEmpty {
            let overrides = TOMLArray()
            for override in config.overrides {
                let entry = TOMLTable(["server": override.server, "level": override.level.token] as [String: any TOMLValueConvertible])
                if let channel = override.scope.channelName {
                    entry["channel"] = channel
                }
                overrides.append(entry)
            }
            document["overrides"] = overrides
        }
        if !config.unboundApprovers.isEmpty {
            document["approvers"] = TOMLArray(config.unboundApprovers)
        }
        if !config.approvers.isEmpty {
            let approvers = TOMLArray()
            for approver in config.approvers {
                let entry = TOMLTable(["server": approver.server, "user": approver.user] as [String: any TOMLValueConvertible])
                if let key = approver.key { entry["key"] = key }
                if let machine = approver.machine { entry["machine"] = machine }
                approvers.append(entry)
            }
            document["approver"] = approvers
        }
        if config.flood != FloodControl() {
            let flood = TOMLTable()
            for entry in config.flood.entries { flood[entry.key] = entry.value }
            document["flood"] = flood
        }
        // Basic (double-quoted) strings only, so the file reads the same in every TOML parser.
        return document.convert(to: .toml, options: [.allowUnicodeStrings]) + "\n"
    }

    private static func string(_ value: (any TOMLValueConvertible)?, at key: String) throws(Problem) -> String {
        guard let value else { throw Problem(detail: "`\(key)` is missing") }
        guard let text = value.string else { throw Problem(detail: "`\(key)` must be a string") }
        return text
    }

    private static func level(_ value: (any TOMLValueConvertible)?, at key: String) throws(Problem) -> PermissionLevel {
        let token = try string(value, at: key)
        do {
            return try PermissionLevel(token: token)
        } catch {
            throw Problem(detail: "`\(key)`: \(error)")
        }
    }

    private static func tables(_ value: (any TOMLValueConvertible)?, at key: String) throws(Problem) -> [TOMLTable] {
        guard let value else { return [] }
        guard let array = value.array else { throw Problem(detail: "`\(key)` must be an array of tables") }
        var result: [TOMLTable] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw Problem(detail: "`\(key)[\(index)]` must be a table")
            }
            result.append(table)
        }
        return result
    }
}
