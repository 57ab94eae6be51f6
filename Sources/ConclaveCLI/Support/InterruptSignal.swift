import Dispatch
import Foundation

/// Ends the process with status 0 on Ctrl-C (SIGINT), whatever it is doing at that moment.
///
/// For `tail`, a read-only verb, stopping is always safe: there is nothing to flush beyond the
/// line already written. Handling the signal from the start (not only while streaming) means a
/// Ctrl-C during a reconnect is never lost (CLI gap 8k).
enum InterruptSignal {
    /// Installs the handler; the returned source must be kept alive.
    static func exitOnInterrupt() -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            Output.note("")
            exit(0)
        }
        source.resume()
        return source
    }
}
