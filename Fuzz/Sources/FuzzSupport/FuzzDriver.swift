import Dispatch
import HeapStats

/// libFuzzer's driver (in the runtime `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
private func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Glue between SwiftPM executables and libFuzzer.
///
/// SwiftPM renames an executable's entry point to `<Module>_main`; each target defines that
/// symbol and hands its callback to ``run(_:_:_:)``, which starts libFuzzer's driver with the
/// command line (so `-runs=`, `-max_total_time=`, corpus directories and the rest all work).
public enum FuzzDriver {
    /// Runs libFuzzer over `callback`; returns its exit status.
    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv = argv
        return llvmFuzzerRunDriver(&argc, &argv, callback)
    }

    /// Bytes the C heap holds in use now (glibc's `mallinfo2`, through the HeapStats C target); the fuzz targets compare it
    /// before and after decoding, with the decoded value still alive, to bound what decoding
    /// allocates per input byte. `nil` where it cannot be read.
    public static func heapBytesInUse() -> Int? {
        let inUse = heap_bytes_in_use()
        return inUse == 0 ? nil : Int(inUse)
    }

    /// The input as an array (libFuzzer passes a null pointer for the empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let data, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: count))
    }

    /// Splits an input into records: a one-byte tag, a one-byte length, then that many bytes
    /// (short at the end if the input is). The tag lets one input interleave several kinds of
    /// event; the format is simple enough for the fuzzer's mutations to keep it mostly intact.
    public static func records(_ bytes: [UInt8]) -> [(tag: UInt8, body: [UInt8])] {
        var records: [(tag: UInt8, body: [UInt8])] = []
        var index = 0
        while index + 1 < bytes.count {
            let tag = bytes[index]
            let length = Int(bytes[index + 1])
            let start = index + 2
            let end = min(bytes.count, start + length)
            records.append((tag, Array(bytes[start..<end])))
            index = end
        }
        return records
    }

    /// Runs async work to completion from the fuzzer's synchronous callback.
    public static func blocking(_ body: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }
}
