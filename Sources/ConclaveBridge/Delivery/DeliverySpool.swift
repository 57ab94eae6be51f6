public import ConclaveIdentity
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One Claude Code session's delivery spool: `<config-dir>/sessions/<client-pid>/spool.json`,
/// written by the session's bridge and drained by its hooks, always under the file's lock.
///
/// The spool is keyed by the Claude Code process, which a hook knows as `CLAUDE_PID` and the
/// bridge as its parent: it survives a bridge restart (Claude Code restarts the MCP server with
/// the same parent) and a `/clear` (which changes the session id, not the process).
public struct DeliverySpool: Sendable, InboundSink {
    /// The spool file.
    public let file: PrivateStateFile

    /// The spool of the Claude Code process `clientPID`.
    public init(directory: ConfigDirectory, clientPID: Int32) {
        file = PrivateStateFile(path: "\(Self.sessionsPath(directory))/\(clientPID)/spool.json", limit: SpoolState.fileLimit)
    }

    /// Where the per-session spools live.
    public static func sessionsPath(_ directory: ConfigDirectory) -> String {
        directory.path + "/sessions"
    }

    /// Reads, changes and writes the state under the lock. An unreadable or foreign file is
    /// started afresh rather than blocking delivery.
    public func update<T>(_ body: (inout SpoolState) throws -> T) throws -> T {
        try file.update { bytes in
            var state = bytes.flatMap(SpoolState.init(decoding:)) ?? SpoolState()
            let result = try body(&state)
            bytes = state.encoded
            return result
        }
    }

    /// The state as it is now, without the lock (`nil`: no spool).
    public func snapshot() -> SpoolState? {
        (try? file.read()).flatMap { $0 }.flatMap(SpoolState.init(decoding:))
    }

    public func accept(_ message: InboundMessage) throws {
        try update { $0.append(message) }
    }

    public func takeInjected() throws -> [InboundReceipt] {
        // A cheap look first: the lock (and a write) only when there is something to take.
        guard snapshot()?.injected.isEmpty == false else { return [] }
        return try update { state in
            defer { state.injected = [] }
            return state.injected
        }
    }

    /// Claims the spool for a bridge starting in `clientPID`'s session. Messages left by an
    /// earlier bridge of the same Claude Code process are kept (they are delivered by the next
    /// hook); a spool left by another process that had the same PID is emptied.
    public func attach(bridgePID: Int32, clientPID: Int32, sessionID: String?) throws {
        try file.createDirectory()
        let start = Self.startTime(of: clientPID)
        try update { state in
            if state.clientPID != clientPID || state.clientStart != start {
                state = SpoolState()
            }
            state.bridgePID = bridgePID
            state.clientPID = clientPID
            state.clientStart = start
            state.sessionID = sessionID
        }
    }

    /// Creates the spool of a live Claude Code process if it has none yet, without claiming it
    /// for a bridge: a `SessionStart` hook can run before Claude Code has started the bridge.
    public func prepare(clientPID: Int32) throws {
        guard snapshot() == nil else { return }
        try file.createDirectory()
        let start = Self.startTime(of: clientPID)
        try update { state in
            guard state.clientPID == 0 else { return }
            state.clientPID = clientPID
            state.clientStart = start
        }
    }

    /// Removes the spools of Claude Code processes that are gone.
    public static func sweep(_ directory: ConfigDirectory) {
        let path = sessionsPath(directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names {
            guard let pid = Int32(name), pid > 0, !isAlive(pid) else { continue }
            let spool = DeliverySpool(directory: directory, clientPID: pid)
            spool.file.remove()
            rmdir("\(path)/\(name)")
        }
    }

    /// The spool whose bridge serves the hook's session: `CLAUDE_PID` names it; without it, the
    /// spool whose recorded session id matches.
    public static func find(_ directory: ConfigDirectory, clientPID: Int32?, sessionID: String?) -> DeliverySpool? {
        if let clientPID, clientPID > 0 {
            let spool = DeliverySpool(directory: directory, clientPID: clientPID)
            return spool.snapshot() == nil ? nil : spool
        }
        guard let sessionID, !sessionID.isEmpty,
            let names = try? FileManager.default.contentsOfDirectory(atPath: sessionsPath(directory))
        else { return nil }
        for name in names.sorted() {
            guard let pid = Int32(name) else { continue }
            let spool = DeliverySpool(directory: directory, clientPID: pid)
            if spool.snapshot()?.sessionID == sessionID { return spool }
        }
        return nil
    }

    /// Whether a process exists (it may belong to another user: `EPERM` still means alive).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// A process's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22), where
    /// the system has `/proc`; `nil` elsewhere.
    static func startTime(of pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces) start with field 3, the state.
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
