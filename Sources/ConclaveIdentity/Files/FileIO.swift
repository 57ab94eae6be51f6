#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `read`/`write` are shadowed inside types by same-named methods; these name the C functions.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// The few POSIX file operations identity needs, with the guarantees the standards ask for:
/// private files are created with their final mode (never briefly readable by others), and every
/// replacement is atomic (write a temp file, fsync, rename or link, fsync the directory).
enum FileIO {
    /// A low-level failure, mapped to ``IdentityError`` by callers who know which file it was.
    struct Failure: Error {
        let code: Int32
        var reason: String { String(cString: strerror(code)) }
        var isNotFound: Bool { code == ENOENT }
        var isAlreadyExists: Bool { code == EEXIST }
    }

    /// Reads a whole file, refusing files larger than `limit` bytes.
    static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(code: errno) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(code: errno)
            }
            if count == 0 { break }
            contents.append(contentsOf: chunk[0..<count])
            guard contents.count <= limit else { throw Failure(code: EFBIG) }
        }
        return contents
    }

    /// How an atomic write treats an existing file at the destination.
    enum Placement {
        /// Replace it (rename over it).
        case replace
        /// Fail with `EEXIST` if it exists; never overwrite (link, which is atomic and exclusive).
        case createNew
    }

    /// Writes `bytes` to `path` atomically with exactly `mode` permissions.
    static func writeAtomically(
        _ bytes: [UInt8], to path: String, mode: mode_t, placement: Placement
    ) throws(Failure) {
        let temp = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(code: errno) }
        var failure: Failure?
        if fchmod(fd, mode) != 0 {
            failure = Failure(code: errno)
        } else if let writeFailure = writeAll(bytes, to: fd) {
            failure = writeFailure
        } else if fsync(fd) != 0 {
            failure = Failure(code: errno)
        }
        close(fd)
        if failure == nil {
            switch placement {
            case .replace:
                if rename(temp, path) != 0 { failure = Failure(code: errno) }
            case .createNew:
                failure = placeExclusively(temp, at: path)
                unlink(temp)
            }
        }
        if let failure {
            unlink(temp)
            throw failure
        }
        syncDirectory(containing: path)
    }

    /// `link` is atomic and fails if `path` exists. Filesystems without hard links get a rename
    /// guarded by an existence check, which is exclusive except against a racing creator.
    private static func placeExclusively(_ temp: String, at path: String) -> Failure? {
        if link(temp, path) == 0 { return nil }
        let linkError = errno
        guard [EPERM, EOPNOTSUPP, ENOSYS, EXDEV].contains(linkError) else { return Failure(code: linkError) }
        if access(path, F_OK) == 0 { return Failure(code: EEXIST) }
        return rename(temp, path) == 0 ? nil : Failure(code: errno)
    }

    /// Creates `path` (and missing parents) as directories; the last one gets `mode`.
    static func makeDirectory(_ path: String, mode: mode_t) throws(Failure) {
        var isDirectory = stat()
        if stat(path, &isDirectory) == 0 {
            guard (isDirectory.st_mode & S_IFMT) == S_IFDIR else { throw Failure(code: ENOTDIR) }
            return
        }
        let parent = parentDirectory(of: path)
        if parent != path, !parent.isEmpty {
            try makeDirectory(parent, mode: 0o755)
        }
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw Failure(code: errno)
        }
    }

    /// The permission bits of an existing file.
    static func mode(of path: String) throws(Failure) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(code: errno) }
        return info.st_mode & 0o7777
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Failure? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return Failure(code: errno)
            }
            offset += written
        }
        return nil
    }

    /// Makes a rename durable; best effort, since some filesystems refuse to fsync directories.
    private static func syncDirectory(containing path: String) {
        let fd = open(parentDirectory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
