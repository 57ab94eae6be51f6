/// The directory holding this machine's `key` and `config.toml`.
///
/// Resolution: `--config-dir`, else `$XDG_CONFIG_HOME/conclave` (when absolute), else
/// `$HOME/.config/conclave`, on every platform.
public struct ConfigDirectory: Sendable, Hashable, CustomStringConvertible {
    /// The directory path (relative paths are relative to the working directory).
    public let path: String

    /// Uses `path` as the config directory.
    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Resolves the directory from an explicit override and the environment.
    public static func resolve(
        override: String?, environment: [String: String]
    ) throws(IdentityError) -> ConfigDirectory {
        if let override, !override.isEmpty {
            return ConfigDirectory(path: override)
        }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return ConfigDirectory(path: xdg + "/conclave")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return ConfigDirectory(path: home + "/.config/conclave")
        }
        throw .noConfigDirectory
    }

    /// `<dir>/key`: the Ed25519 seed.
    public var keyPath: String { path + "/key" }

    /// `<dir>/agreement-key`: the X25519 secret for end-to-end encrypted channels.
    public var agreementKeyPath: String { path + "/agreement-key" }
    /// `<dir>/known_keys`: machine keys pinned the first time each signed for its machine.
    public var knownKeysPath: String { path + "/known_keys" }

    /// `<dir>/config.toml`: registrations and permission settings.
    public var configPath: String { path + "/config.toml" }

    /// `<dir>/config.toml.lock`: serialises config updates between processes.
    var configLockPath: String { path + "/config.toml.lock" }

    /// Creates the directory if needed; a new directory is private to its owner (0700).
    public func create() throws(IdentityError) {
        do {
            try FileIO.makeDirectory(path, mode: 0o700)
        } catch {
            throw .directoryFailed(path: path, reason: error.reason)
        }
    }

    public var description: String { path }
}
