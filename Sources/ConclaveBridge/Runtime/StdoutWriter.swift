#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes JSON-RPC lines to stdout, whole lines only, in call order.
///
/// stdout carries nothing but JSON-RPC. When it fails (the client went away), `onFailure` runs
/// once; the bridge then ends instead of running on without output (reference gap 32).
final class StdoutWriter: Sendable {
    private let failed = Mutex(false)
    private let onFailure: @Sendable (String) -> Void

    init(onFailure: @escaping @Sendable (String) -> Void) {
        self.onFailure = onFailure
    }

    func write(_ line: String) {
        let error: String? = failed.withLock { failed in
            guard !failed else { return nil }
            var bytes = Array((line + "\n").utf8)[...]
            while !bytes.isEmpty {
                let count = bytes.withUnsafeBytes { systemWrite(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if count >= 0 {
                    bytes = bytes.dropFirst(count)
                } else if errno != EINTR {
                    failed = true
                    return String(cString: strerror(errno))
                }
            }
            return nil
        }
        if let error { onFailure(error) }
    }
}

/// `write(2)`, reachable from inside `StdoutWriter` (whose own `write` would shadow it).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
