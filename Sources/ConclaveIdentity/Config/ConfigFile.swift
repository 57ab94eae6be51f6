#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and updates `config.toml` safely.
///
/// Updates run under an exclusive file lock (read, change, write), so concurrent `conclave`
/// processes never lose each other's edits, and every write replaces the file atomically. A file
/// that cannot be read or parsed is reported and never overwritten.
///
/// ```swift
/// let file = ConfigFile(directory: directory)
/// try file.update { config in
///     config.setPermission(.converse, server: url, scope: .channel("ops"))
/// }
/// ```
public struct ConfigFile: Sendable {
    /// The directory holding the file.
    public let directory: ConfigDirectory

    /// A larger file is refused rather than read.
    static let maxFileBytes = 1 << 20

    /// Creates a handle on `<directory>/config.toml`.
    public init(directory: ConfigDirectory) {
        self.directory = directory
    }

    /// The current configuration; a missing file is the default configuration.
    ///
    /// A file that still stores URLs in our earlier normal form is migrated and saved once (see
    /// ``ClientConfig/migrateURLSpelling()``), so the reference client matches its entries; if
    /// saving fails, the migrated configuration is still returned.
    public func load() throws(IdentityError) -> ClientConfig {
        var config = try loadAsStored()
        if config.migrateURLSpelling() {
            return (try? update { $0 }) ?? config
        }
        return config
    }

    private func loadAsStored() throws(IdentityError) -> ClientConfig {
        let path = directory.configPath
        let contents: [UInt8]
        do {
            contents = try FileIO.read(path, limit: Self.maxFileBytes)
        } catch {
            if error.isNotFound { return ClientConfig() }
            throw .configUnreadable(path: path, reason: error.reason)
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw .configMalformed(path: path, detail: "the file is not UTF-8 text")
        }
        do {
            return try ConfigTOML.parse(text)
        } catch {
            throw .configMalformed(path: path, detail: error.detail)
        }
    }

    /// Loads, lets `change` edit, and saves if anything changed, all under the lock.
    /// Returns what `change` returns. If `change` throws, nothing is written.
    @discardableResult
    public func update<T>(_ change: (inout ClientConfig) throws(IdentityError) -> T) throws(IdentityError) -> T {
        try directory.create()
        return try FileLock(path: directory.configLockPath).withExclusiveLock { () throws(IdentityError) -> T in
            removeStaleTemporaryFiles()
            let original = try loadAsStored()
            var config = original
            config.migrateURLSpelling()
            let result = try change(&config)
            if config != original {
                try save(config)
            }
            return result
        }
    }

    private func save(_ config: ClientConfig) throws(IdentityError) {
        let path = directory.configPath
        // Keep an existing file's permissions; a new one is private like the key.
        let mode = (try? FileIO.mode(of: path)) ?? 0o600
        do {
            try FileIO.writeAtomically(Array(ConfigTOML.render(config).utf8), to: path, mode: mode, placement: .replace)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    /// Under the lock no other writer is active, so any `config.toml.*.tmp` is left from a crash.
    private func removeStaleTemporaryFiles() {
        guard let dir = opendir(directory.path) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix("config.toml."), name.hasSuffix(".tmp") {
                unlink(directory.path + "/" + name)
            }
        }
    }
}
