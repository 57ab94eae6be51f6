#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small private file (mode 0600, in a 0700 directory) that several processes read and
/// rewrite under one lock: each ``update(_:)`` reads it, lets the caller change it, and replaces
/// it atomically, all while holding an exclusive `flock` on a sibling `.lock` file.
///
/// The bridge's delivery spool lives in such a file, shared with the `conclave hook` processes
/// that drain it.
public struct PrivateStateFile: Sendable {
    /// The file's path.
    public let path: String
    /// The largest file read; a bigger one is reported, never loaded.
    public let limit: Int

    /// A state file at `path`, read up to `limit` bytes.
    public init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    /// Creates the directory holding the file (0700) if it is missing.
    public func createDirectory() throws(IdentityError) {
        let directory = FileIO.parentDirectory(of: path)
        do {
            try FileIO.makeDirectory(directory, mode: 0o700)
        } catch {
            throw .directoryFailed(path: directory, reason: error.reason)
        }
    }

    /// Reads the current bytes (`nil`: no file yet), hands them to `body`, and writes back what
    /// `body` leaves in them (`nil`: remove the file), under the lock.
    public func update<T>(_ body: (inout [UInt8]?) throws -> T) throws -> T {
        try FileLock(path: path + ".lock").withExclusiveLock { () throws(IdentityError) -> Result<T, any Error> in
            var contents = try read()
            let before = contents
            let result = Result { try body(&contents) }
            guard contents != before else { return result }
            if let contents {
                try write(contents)
            } else {
                unlink(path)
            }
            return result
        }.get()
    }

    private func write(_ contents: [UInt8]) throws(IdentityError) {
        do {
            try FileIO.writeAtomically(contents, to: path, mode: 0o600, placement: .replace)
        } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    /// Reads the current bytes without taking the lock (`nil`: no file). A reader sees either
    /// the old or the new file, since every write replaces it atomically.
    public func read() throws(IdentityError) -> [UInt8]? {
        let contents: [UInt8]
        do {
            contents = try FileIO.read(path, limit: limit)
        } catch {
            guard !error.isNotFound else { return nil }
            throw .configUnreadable(path: path, reason: error.reason)
        }
        return contents
    }

    /// Removes the file and its lock file.
    public func remove() {
        unlink(path)
        unlink(path + ".lock")
    }
}
