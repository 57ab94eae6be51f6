import ConclaveIdentity
import Foundation
import Logging

/// Notices changes to config.toml (from `conclave perm set`, another bridge's `set_perm`, an
/// editor) and hands the new configuration to a running bridge (reference gap 12).
struct ConfigWatcher {
    let file: ConfigFile
    var interval: Duration = .seconds(1)
    let logger = Logger(label: "conclave.bridge.config")

    private struct Stamp: Equatable {
        let modified: Date?
        let size: Int?
    }

    /// Polls until cancelled. `generation` is read before each file read and handed to `apply`
    /// with what was read, so the core can ignore a read that raced with its own save.
    func run(generation: () async -> Int, apply: (ClientConfig, Int) async -> Void) async {
        var last = stamp()
        var reportedError = false
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = stamp()
            guard now != last else { continue }
            last = now
            let before = await generation()
            do {
                await apply(try file.load(), before)
                reportedError = false
            } catch {
                // Keep the levels in force; say once why the new file is not used.
                if !reportedError { logger.warning("config.toml changed but could not be read; keeping the previous settings", metadata: ["error": "\(error)"]) }
                reportedError = true
            }
        }
    }

    private func stamp() -> Stamp {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file.directory.configPath)
        return Stamp(modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
    }
}
