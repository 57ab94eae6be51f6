#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on `<data-dir>/conclave.lock`, held while the server runs, so two servers
/// never share one store.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws(ServerError) {
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw .dataDirectory(path: directory, reason: String(cString: strerror(errno)))
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

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
