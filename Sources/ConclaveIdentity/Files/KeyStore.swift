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
        try Self.loadSecret(at: directory.keyPath, what: "seed") { seed throws(IdentityError) in try SigningKey(seed: seed) }
    }

    /// Loads this machine's X25519 agreement key, or creates one (0600, beside the machine key)
    /// if there is none; a malformed file is an error and is never replaced.
    public func loadOrCreateAgreementKey() throws(IdentityError) -> (key: AgreementKey, created: Bool) {
        let path = directory.agreementKeyPath
        let load = { () throws(IdentityError) -> AgreementKey in
            try Self.loadSecret(at: path, what: "X25519 secret") { bytes throws(IdentityError) in try AgreementKey(secret: bytes) }
        }
        do {
            return (try load(), false)
        } catch .keyMissing {
            try directory.create()
            let key = try AgreementKey.generate()
            if try Self.createExclusively(key.secretText, at: path) { return (key, true) }
            return (try load(), false)
        }
    }

    /// Reads a protected file holding 32 secret bytes in base64url (a trailing newline allowed).
    private static func loadSecret<Key>(
        at path: String, what: String, _ make: ([UInt8]) throws(IdentityError) -> Key
    ) throws(IdentityError) -> Key {
        try checkProtection(path)
        let contents: [UInt8]
        do {
            contents = try FileIO.read(path, limit: maxFileBytes)
        } catch {
            if error.isNotFound { throw .keyMissing(path: path) }
            throw .keyUnreadable(path: path, reason: error.reason)
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            throw .keyMalformed(path: path, detail: "not text")
        }
        guard var secret = Base64URL.decode(text.trimmingWhitespace()) else {
            throw .keyMalformed(path: path, detail: "not unpadded base64url")
        }
        defer { secret.withUnsafeMutableBytes(Sodium.wipe) }
        guard secret.count == 32 else {
            throw .keyMalformed(path: path, detail: "keyfile does not contain a 32-byte \(what)")
        }
        return try make(secret)
    }

    /// Writes `text` as a new 0600 file; `false` if another process created it first.
    private static func createExclusively(_ text: String, at path: String) throws(IdentityError) -> Bool {
        var bytes = Array(text.utf8)
        defer { bytes.withUnsafeMutableBytes(Sodium.wipe) }
        do {
            try FileIO.writeAtomically(bytes, to: path, mode: 0o600, placement: .createNew)
            return true
        } catch {
            if error.isAlreadyExists { return false }
            throw .writeFailed(path: path, reason: error.reason)
        }
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
            if try Self.createExclusively(key.seedText, at: directory.keyPath) { return (key, true) }
            return (try load(), false)
        }
    }
}
