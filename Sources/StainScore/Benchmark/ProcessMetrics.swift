#if canImport(Glibc)
import Glibc
#endif

/// Resource use of this process, for benchmark reports: CPU time must be read beside wall
/// time because a shared machine can leave a process one core or less.
public struct ProcessMetrics: Sendable {
    /// User + system CPU seconds used so far by the whole process.
    public var cpuSeconds: Double
    /// Peak resident set size so far, in bytes.
    public var peakResidentBytes: Int

    /// Reads the current figures (getrusage).
    public static func now() -> ProcessMetrics {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ProcessMetrics(cpuSeconds: cpu, peakResidentBytes: Int(usage.ru_maxrss) * 1024)
    }

    /// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), or nil where unavailable.
    public static func loadAverage() -> (Double, Double, Double)? {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) == 3 else { return nil }
        return (loads[0], loads[1], loads[2])
    }

    /// Seconds on a monotonic clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Number of CPUs this process may run on.
    public static var availableCores: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
