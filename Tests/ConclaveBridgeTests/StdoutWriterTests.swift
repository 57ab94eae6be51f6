@testable import ConclaveBridge
import Foundation
import Synchronization
import Testing

/// stdout is written from the writer's own thread: a client that does not read never blocks the
/// caller, lines arrive whole and in order once it reads, and a client that leaves too much
/// unread ends the bridge instead of growing its memory.
@Suite("stdout writer", .timeLimit(.minutes(1)))
struct StdoutWriterTests {
    @Test func writesNeverWaitForAClientThatIsNotReadingAndArriveInOrder() async throws {
        let pipe = Pipe()
        let failures = Mutex<[String]>([])
        let writer = StdoutWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor) { reason in failures.withLock { $0.append(reason) } }
        // About 2 MiB, thirty times what a pipe buffers, written while nobody reads.
        let lines = (0..<2_000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: 1_000))\"}" }
        for line in lines { writer.write(line) }
        #expect(await writer.drain(within: .milliseconds(100)) == false)
        let reader = Task.detached { pipe.fileHandleForReading.readData(ofLength: lines.reduce(0) { $0 + $1.utf8.count + 1 }) }
        #expect(await writer.drain(within: .seconds(30)))
        let text = String(decoding: await reader.value, as: UTF8.self)
        #expect(text == lines.joined(separator: "\n") + "\n")
        #expect(failures.withLock { $0 }.isEmpty)
        writer.close()
    }

    @Test func aClientThatLeavesTooMuchUnreadEndsTheBridgeOnce() async throws {
        let pipe = Pipe()
        let failures = Mutex<[String]>([])
        let writer = StdoutWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor, maximumBacklog: 256 << 10) { reason in
            failures.withLock { $0.append(reason) }
        }
        for _ in 0..<1_000 { writer.write(String(repeating: "y", count: 1_000)) }
        #expect(failures.withLock { $0.count } == 1)
        #expect(failures.withLock { $0.first }?.contains("unread") == true)
        // The writer's thread is still blocked on the full pipe: closing the reader ends it (with
        // EPIPE, which is not reported again).
        signal(SIGPIPE, SIG_IGN)
        writer.close()
        try pipe.fileHandleForReading.close()
        _ = await writer.drain(within: .seconds(10))
        #expect(failures.withLock { $0.count } == 1)
    }

    @Test func aClosedStdoutIsReportedOnce() async throws {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let failures = Mutex<[String]>([])
        let writer = StdoutWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor) { reason in failures.withLock { $0.append(reason) } }
        signal(SIGPIPE, SIG_IGN)
        writer.write("one")
        writer.write("two")
        _ = await writer.drain(within: .seconds(10))
        #expect(failures.withLock { $0.count } == 1)
    }
}
