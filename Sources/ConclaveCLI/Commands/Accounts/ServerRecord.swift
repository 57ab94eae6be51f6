import ConclaveIdentity
import ConclaveProtocol

/// Records a server the key was proven to work on, in config.toml.
enum ServerRecord {
    /// Saves `(url, path.user, path.machine)` and the CA file, if one was given; a failure says what already happened on the server
    /// and how to record it later.
    static func save(url: ServerURL, path: SessionPath, caFile: String?, in file: ConfigFile, action: String) throws {
        do {
            try file.update { $0.register(server: url, username: path.user, machine: path.machine, caFile: caFile) }
        } catch {
            throw CLIError("""
                \(action) on \(url) as \(path.user)/\(path.machine), but could not record it in \
                \(file.directory.configPath): \(error). Fix that, then run `conclave server add \(url)` to record it
                """)
        }
    }
}
