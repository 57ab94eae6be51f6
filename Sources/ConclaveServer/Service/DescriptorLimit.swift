#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors, which bounds how many connections it can hold.
enum DescriptorLimit {
    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (as far as the system allows) and returns
    /// the soft limit now in force; `nil` when it cannot be read.
    static func raiseToHard() -> Int? {
        var limits = rlimit()
        guard getrlimit(Self.resource, &limits) == 0 else { return nil }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Self.resource, &raised) == 0 {
                limits = raised
            }
        }
        return Int(clamping: limits.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
