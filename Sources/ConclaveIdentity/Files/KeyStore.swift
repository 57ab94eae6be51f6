#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads and creates the machine key file: the Ed25519 seed as 43 characters of base64url, no
/// newline, mode 0600 — the format the Rust reference writes, so its files load unchanged.
public struct KeyStore: Sendable {
    /// The directory holding the key.
    public let directory: ConfigDirectory

    /// A key file larger than this is certainly not a seed; it is refused without reading further.
    static let maxFileBytes = 4096

    /// Creates a key store over `directory`.
    public init(directory: ConfigDirectory) {
        self.directory = directory
    }

    /// Loads the existing key; a missing or malformed file is an error and is never replaced.
    public func load() throws(IdentityError) -> SigningKey {
        let path = directory.keyPath
        try Self.checkProtection(path)
        let contents: [UInt8]
        do {
            contents = try FileIO.read(path, limit: Self.maxFileBytes)
        } catch {
            if error.isNotFound { throw .keyMissing(path: path) }
            throw .keyUnreadable(path: path, reason: error.reason)
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw .keyMalformed(path: path, detail: "not text")
        }
        guard var seed = Base64URL.decode(text.trimmingWhitespace()) else {
            throw .keyMalformed(path: path, detail: "not unpadded base64url")
        }
        defer { seed.withUnsafeMutableBytes(Sodium.wipe) }
        guard seed.count == SigningKey.seedByteCount else {
            throw .keyMalformed(path: path, detail: "keyfile does not contain a 32-byte seed")
        }
        return try SigningKey(seed: seed)
    }

    /// Refuses a key file others could read or write, or that another user owns, the way ssh
    /// refuses an unprotected private key. A missing file is left to the read to report.
    static func checkProtection(_ path: String) throws(IdentityError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = UInt32(info.st_mode & 0o777)
        let foreign = info.st_uid != geteuid()
        if foreign || mode & 0o077 != 0 {
            throw .keyUnprotected(path: path, mode: mode, foreignOwner: foreign)
        }
    }

    /// Loads the key, or creates one if there is no key file. Idempotent, and safe when two
    /// processes race: the file is created exclusively, and the loser loads the winner's key.
    public func loadOrCreate() throws(IdentityError) -> (key: SigningKey, created: Bool) {
        do {
            return (try load(), false)
        } catch .keyMissing {
            try directory.create()
            let key = try SigningKey.generate()
            var text = Array(key.seedText.utf8)
            defer { text.withUnsafeMutableBytes(Sodium.wipe) }
            do {
                try FileIO.writeAtomically(text, to: directory.keyPath, mode: 0o600, placement: .createNew)
            } catch {
                if error.isAlreadyExists { return (try load(), false) }
                throw .writeFailed(path: directory.keyPath, reason: error.reason)
            }
            return (key, true)
        }
    }
}
