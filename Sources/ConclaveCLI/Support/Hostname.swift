#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's host name, the default machine name for `register`.
enum Hostname {
    static func current() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else {
            throw CLIError("could not read the host name; pass --machine <name>")
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self)
        guard !name.isEmpty else { throw CLIError("the host name is empty; pass --machine <name>") }
        return name
    }
}
