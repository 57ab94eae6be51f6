import Foundation
import Logging

/// A swift-log handler that writes one line per event to stderr, human-readable or JSON.
///
/// Human: `2026-11-28T05:38:46Z INFO conclave server listening addr=0.0.0.0:4390`.
/// JSON: `{"timestamp":"…","level":"INFO","target":"conclave.serve","fields":{"message":"…","addr":"…"}}`.
///
/// With a ``FileLogSink`` the same lines go to that file instead (the bridge's log).
struct StderrLogHandler: LogHandler {
    let label: String
    let format: LogSettings.Format
    /// Where lines go instead of stderr, if anywhere.
    var file: FileLogSink? = nil
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let timestamp = Date.now.formatted(.iso8601)
        let level = event.level.rawValue.uppercased()
        let line: String
        switch format {
        case .human:
            let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            line = "\(timestamp) \(level) \(event.message)\(fields)\n"
        case .json:
            var fields: [String: String] = ["message": "\(event.message)"]
            for (key, value) in merged { fields[key] = "\(value)" }
            let object: [String: Any] = ["timestamp": timestamp, "level": level, "target": label, "fields": fields]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        if let file {
            file.write(line)
        } else {
            try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
        }
    }
}
