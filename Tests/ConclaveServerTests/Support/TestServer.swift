import ConclaveIdentity
import ConclaveProtocol
import ConclaveServer
import ConclaveTransport
import Foundation
import Logging
import Testing
import ConclaveStorage
import ConclaveSQLite

/// An in-process server on a free loopback port, and clients connected to it.
struct TestServer: Sendable {
    let port: Int
    let runtime: ServerRuntime
    var scheme = "ws"

    var url: ServerURL {
        get throws { try ServerURL("\(scheme)://127.0.0.1:\(port)/") }
    }

    /// Runs `body` against a fresh server (ephemeral unless `storage` says otherwise).
    static func with<T: Sendable>(
        storage: any StoreBackend = SQLiteBackend.ephemeral,
        admins: [String] = [],
        tls: ServerTLS? = nil,
        settings: HubSettings = HubSettings(),
        metrics: ServerConfiguration.MetricsExposure = .clientListener,
        _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "conclave.test-server")
        logger.logLevel = ProcessInfo.processInfo.environment["CONCLAVE_TEST_LOG"] == nil ? .critical : .debug
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, storage: storage, admins: try AdminAllowlist(parsing: admins), tls: tls, settings: settings)
        configuration.metrics = metrics
        let runtime = ServerRuntime(configuration: configuration, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await runtime.run(handleSignals: false) { port in portContinuation.yield(port) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.waitForAll()
                throw TestFailure("server did not start")
            }
            let server = TestServer(port: port, runtime: runtime, scheme: tls == nil ? "ws" : "wss")
            do {
                let result = try await body(server)
                await runtime.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                await runtime.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Connects a peer that registers `username` (or authenticates, when `register` is false)
    /// and runs `body` with it. The connection closes when `body` returns.
    func peer<T: Sendable>(
        key: SigningKey, session: String = "s1", register username: String? = nil, machine: String = "m1",
        tls: ClientTLS = .systemTrustStore, extensions: Set<ProtocolExtension> = [],
        _ body: @escaping @Sendable (TestPeer) async throws -> T
    ) async throws -> T {
        let registration = username.map { ClientHandshake.Registration(username: $0, machine: machine) }
        return try await FrameLink.connect(to: try url, tls: tls, timeout: .seconds(5), extensions: extensions) { connection in
            var frames = connection.inbound.makeAsyncIterator()
            let path = try await ClientHandshake.perform(
                on: connection, frames: &frames, key: key, session: session, registration: registration)
            let mailbox = Mailbox()
            // The pump task becomes the iterator's only user from here on.
            let handoff = Handoff(frames)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    var pump = handoff.value
                    while let event = try? await pump.next() {
                        if case let .message(frame) = event { await mailbox.deliver(frame) }
                    }
                    await mailbox.close()
                    return nil
                }
                let peer = TestPeer(path: path, connection: connection, mailbox: mailbox)
                // ServerInfo always follows Established.
                _ = try await peer.next()
                let result = try await body(peer)
                group.cancelAll()
                await connection.outbound.close()
                return result
            }
        }
    }

    /// Connects, sends exactly `frames` raw, and returns everything received until the server
    /// closes (for handshake refusals).
    func rawExchange(_ frames: [[UInt8]], waitFor: Duration = .seconds(10)) async throws -> [ProtocolMessage] {
        try await FrameLink.connect(to: try url, timeout: .seconds(5)) { connection in
            let mailbox = Mailbox()
            return try await withThrowingTaskGroup(of: [ProtocolMessage]?.self) { group in
                group.addTask {
                    var pump = connection.inbound.makeAsyncIterator()
                    while let event = try? await pump.next() {
                        if case let .message(frame) = event { await mailbox.deliver(frame) }
                    }
                    await mailbox.close()
                    return nil
                }
                for frame in frames {
                    try await connection.outbound.writeRaw(frame)
                }
                var received: [ProtocolMessage] = []
                while let frame = await mailbox.next(within: waitFor) {
                    received.append(frame)
                }
                group.cancelAll()
                return received
            }
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension HubSettings {
    /// Default settings with every limit off except what `configure` sets.
    static func onlyLimits(_ configure: (inout ServerLimits) -> Void) -> HubSettings {
        var settings = HubSettings()
        var limits = ServerLimits.unlimited
        configure(&limits)
        settings.limits = limits
        return settings
    }
}

/// A fresh key per test identity.
func newKey() throws -> SigningKey { try SigningKey.generate() }

/// Moves a non-Sendable value (a frame iterator) to the one task that will use it from now on.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
