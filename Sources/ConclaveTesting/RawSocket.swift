#if canImport(Glibc)
import Glibc
#endif
import NIOPosix

/// A plain TCP connection from a chosen loopback source address, for peers that never speak
/// (they send nothing at all, not even an HTTP request) or speak raw bytes (hand-made HTTP and
/// WebSocket frames). Its calls block their thread, briefly: a test's own client, never a server.
public final class RawSocket: @unchecked Sendable {
    // @unchecked: the descriptor is only read, and closed once in deinit.
    private let descriptor: Int32

    /// A socket call that failed, with `errno`.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        /// Creates a failure that says `description`.
        public init(description: String) {
            self.description = description
        }
    }

    /// Connects to `127.0.0.1:port` from `source` (any 127.0.0.0/8 address is loopback on Linux).
    public init(port: Int, from source: String = "127.0.0.1") throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
        descriptor = fd
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw Failure(description: "bind(\(source)) failed: \(errno)") }
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw Failure(description: "connect() failed: \(errno)") }
    }

    /// Sends `bytes` (as much as the socket takes; a closed peer ends it early).
    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Whether the server closed the connection within `milliseconds` (end of stream or reset).
    public func closedByPeer(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    /// Reads what arrives until the peer closes or `milliseconds` pass without data.
    public func readAll(idle milliseconds: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, milliseconds) > 0 else { return received }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return received }
            received += buffer[0..<count]
        }
    }

    /// Reads until `complete` holds for everything read so far, the peer closes, or `milliseconds`
    /// pass without data; returns what was read.
    public func read(until complete: ([UInt8]) -> Bool, idle milliseconds: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !complete(received) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, milliseconds) > 0 else { return received }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return received }
            received += buffer[0..<count]
        }
        return received
    }

    /// ``read(until:idle:)`` on NIO's blocking-I/O thread pool, so a test waiting for bytes leaves
    /// the cooperative threads (two, on a two-core machine) to the server it is talking to.
    public func read(until complete: @escaping @Sendable ([UInt8]) -> Bool, idle milliseconds: Int32) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { self.read(until: complete, idle: milliseconds) }
    }

    /// A plain HTTP/1.1 GET of `path`; returns the raw response text.
    public static func httpGet(host: String, port: Int, path: String) async throws -> String {
        let socket = try RawSocket(port: port, from: host)
        socket.send(Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8))
        let response = try await NIOThreadPool.singleton.runIfActive { socket.readAll(idle: 5_000) }
        return String(decoding: response, as: UTF8.self)
    }

    deinit {
        close(descriptor)
    }
}
