public import ConclaveStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on `<data-dir>/conclave.lock`, held while the server runs, so two servers
/// never share one store.
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Creates the directory if needed (mode 0700), checks who may write it, and locks it.
    public init(directory: String) throws(StoreOpenError) {
        // Missing parents are created too (as `mkdir -p` would), each private to this user.
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw .dataDirectory(path: directory, reason: "cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
        // Like ssh with a private key: a directory others may write to (or that someone else
        // owns) could have its database swapped or read, so it is refused, not used quietly.
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw .dataDirectory(path: directory, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw .dataDirectory(path: directory, reason: "it is not a directory") }
        if info.st_uid != geteuid() {
            throw .dataDirectory(path: directory, reason: "it belongs to another user (uid \(info.st_uid)); the server must own its data directory")
        }
        if info.st_mode & 0o022 != 0 {
            throw .dataDirectory(
                path: directory,
                reason: "it is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run `chmod 700 \(directory)`")
        }
        let fd = open(directory + "/conclave.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .dataDirectory(path: directory, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .dataDirectoryInUse(directory)
        }
        descriptor = fd
    }

    /// Creates the database file `name` in `directory` readable by the server's user only, or
    /// narrows an existing one to that (SQLite gives its WAL and shared-memory files the
    /// database's mode); returns its path.
    public static func privateDatabaseFile(_ name: String, in directory: String) throws(StoreOpenError) -> String {
        let path = directory + "/" + name
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .dataDirectory(path: directory, reason: "cannot open \(name): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else {
            throw .dataDirectory(path: directory, reason: "cannot make \(name) private (mode 0600): \(String(cString: strerror(errno)))")
        }
        for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
        return path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
