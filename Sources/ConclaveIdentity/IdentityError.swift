/// What went wrong with local identity or configuration, phrased for the person at the keyboard:
/// each message names the file or value involved and, where there is one, the next step.
public enum IdentityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No config directory could be determined (no `--config-dir`, `XDG_CONFIG_HOME` or `HOME`).
    case noConfigDirectory
    /// A directory could not be created.
    case directoryFailed(path: String, reason: String)
    /// The key file does not exist.
    case keyMissing(path: String)
    /// The key file exists but could not be read.
    case keyUnreadable(path: String, reason: String)
    /// The key file is not a base64url Ed25519 seed; it is left untouched.
    case keyMalformed(path: String, detail: String)
    /// The key file can be read or written by others (or belongs to someone else); it is not used.
    case keyUnprotected(path: String, mode: UInt32, foreignOwner: Bool)
    /// A write failed; the previous file, if any, is intact.
    case writeFailed(path: String, reason: String)
    /// The config file exists but could not be read.
    case configUnreadable(path: String, reason: String)
    /// The config file is not valid; it is left untouched.
    case configMalformed(path: String, detail: String)
    /// The config lock could not be taken.
    case lockFailed(path: String, reason: String)
    /// A public key given as text is not a 43-character base64url Ed25519 key.
    case invalidPublicKey(String)
    /// A server URL that is not a `ws://` or `wss://` URL.
    case invalidServerURL(url: String, reason: String)
    /// The operating system's random generator or libsodium failed.
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .noConfigDirectory:
            return "could not determine the configuration directory: set HOME or XDG_CONFIG_HOME, or pass --config-dir"
        case let .directoryFailed(path, reason):
            return "failed to create directory `\(path)`: \(reason)"
        case let .keyMissing(path):
            // A new user needs an account, which `register` creates along with the key.
            return "no machine key at `\(path)` yet: run `conclave register --server <url> --username <you>` "
                + "(it creates the key), or `conclave key` to create one for `conclave machine add` on another machine"
        case let .keyUnreadable(path, reason):
            return "failed to read keyfile `\(path)`: \(reason)"
        case let .keyUnprotected(path, mode, foreignOwner):
            if foreignOwner {
                return "keyfile `\(path)` belongs to another user; a private key must be your own. Refusing to use it."
            }
            return "keyfile `\(path)` has permissions \(String(mode, radix: 8)), which are too open: a private key must be "
                + "readable by you only. Refusing to use it; run `chmod 600 \(path)` (and consider it exposed if others could read it)."
        case let .keyMalformed(path, detail):
            return "keyfile `\(path)` is not a valid Ed25519 seed (\(detail)); it was left untouched. "
                + "Restore it from a backup, or move it aside and run `conclave key` to create a new identity "
                + "(machines enrolled with the old key must then be enrolled again)"
        case let .writeFailed(path, reason):
            return "failed to write `\(path)`: \(reason) (the previous contents, if any, are unchanged)"
        case let .configUnreadable(path, reason):
            return "failed to read config `\(path)`: \(reason)"
        case let .configMalformed(path, detail):
            return "failed to parse config `\(path)`: \(detail). The file was left untouched; fix it by hand "
                + "or move it aside to start from an empty configuration"
        case let .lockFailed(path, reason):
            return "failed to lock `\(path)`: \(reason)"
        case let .invalidPublicKey(detail):
            return "invalid public key: \(detail) (expected the 43-character text `conclave key` prints)"
        case let .invalidServerURL(url, reason):
            return "invalid server URL `\(url)`: \(reason) (expected ws://host[:port] or wss://host[:port])"
        case let .cryptoFailure(detail):
            return "cryptography failure: \(detail)"
        }
    }
}
