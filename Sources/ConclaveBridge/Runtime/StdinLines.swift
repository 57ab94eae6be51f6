#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// Reads stdin on a thread of its own and yields it line by line.
///
/// A line longer than `maximumLine` is not buffered whole: it is skipped up to its newline and
/// reported as `nil`, so a runaway client cannot exhaust memory.
public enum StdinLines {
    /// The longest line kept whole.
    public static let maximumLine = 16 * 1024 * 1024

    /// The lines of stdin (`nil` for an oversized one); the stream ends at end of input.
    public static func start() -> AsyncStream<Data?> {
        let (stream, continuation) = AsyncStream.makeStream(of: Data?.self)
        let thread = Thread {
            var buffer = Data()
            var skipping = false
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                var start = 0
                for index in 0..<count where chunk[index] == 0x0A {
                    if skipping {
                        skipping = false
                    } else {
                        buffer.append(contentsOf: chunk[start..<index])
                        continuation.yield(buffer)
                    }
                    buffer.removeAll(keepingCapacity: true)
                    start = index + 1
                }
                if !skipping { buffer.append(contentsOf: chunk[start..<count]) }
                if buffer.count > maximumLine {
                    buffer.removeAll()
                    skipping = true
                    continuation.yield(nil)
                }
            }
            if !buffer.isEmpty, !skipping { continuation.yield(buffer) }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}
