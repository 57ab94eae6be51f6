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

    static func parse(_ text: String) throws(Problem) -> ClientConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw Problem(detail: "\(error.description) (line \(error.source.begin.line), column \(error.source.begin.column))")
        } catch {
            throw Problem(detail: "\(error)")
        }
        var config = ClientConfig()
        if let value = table["default_permission"] {
            config.defaultPermission = try level(value, at: "default_permission")
        }
        for (index, entry) in try tables(table["servers"], at: "servers").enumerated() {
            let at = "servers[\(index)]"
            config.servers.append(Registration(
                url: try string(entry["url"], at: "\(at).url"),
                username: try string(entry["username"], at: "\(at).username"),
                machine: try string(entry["machine"], at: "\(at).machine")))
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
        var lines = ["default_permission = \(quote(config.defaultPermission.token))"]
        for server in config.servers {
            lines += ["", "[[servers]]", "url = \(quote(server.url))",
                      "username = \(quote(server.username))", "machine = \(quote(server.machine))"]
        }
        for override in config.overrides {
            lines += ["", "[[overrides]]", "server = \(quote(override.server))"]
            if let channel = override.scope.channelName {
                lines.append("channel = \(quote(channel))")
            }
            lines.append("level = \(quote(override.level.token))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
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
