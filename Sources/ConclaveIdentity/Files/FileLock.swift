#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a lock file, held for the duration of a closure.
///
/// Serialises read-modify-write cycles of `config.toml` between processes, so two `conclave`
/// commands that edit it at once cannot lose each other's change.
struct FileLock {
    let path: String

    func withExclusiveLock<T>(_ body: () throws(IdentityError) -> T) throws(IdentityError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .lockFailed(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .lockFailed(path: path, reason: String(cString: strerror(errno)))
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
