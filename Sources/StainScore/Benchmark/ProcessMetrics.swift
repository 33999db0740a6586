#if canImport(Glibc)
import Glibc
#endif

/// Resource use of this process, for benchmark reports: CPU time must be read beside wall
/// time because a shared machine can leave a process one core or less.
public struct ProcessMetrics: Sendable {
    /// User + system CPU seconds used so far by the whole process.
    public var cpuSeconds: Double
    /// Peak resident set size, in bytes: since the process started, or since the last
    /// `resetPeakResident()`.
    public var peakResidentBytes: Int

    /// Reads the current figures: CPU time from getrusage; the peak resident set from the
    /// kernel's high-water mark (`VmHWM` in /proc/self/status, which `resetPeakResident` starts
    /// afresh), or getrusage's `ru_maxrss` where there is none.
    public static func now() -> ProcessMetrics {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ProcessMetrics(cpuSeconds: cpu, peakResidentBytes: highWaterMarkBytes() ?? Int(usage.ru_maxrss) * 1024)
    }

    /// Starts the peak resident set afresh from the current one (Linux: "5" written to
    /// /proc/self/clear_refs), so that a benchmark's peak is its own and not that of the work
    /// before it — generating its tiles holds whole virtual slides in memory. False where the
    /// kernel offers no such reset; the peak then still covers the whole process.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        guard let file = fopen("/proc/self/clear_refs", "w") else { return false }
        let written = fputs("5", file) >= 0
        return fclose(file) == 0 && written && highWaterMarkBytes() != nil
    }

    /// `VmHWM` of /proc/self/status in bytes, or nil where it cannot be read.
    static func highWaterMarkBytes() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("VmHWM:") else { continue }
            // "VmHWM:     43180 kB"
            let fields = text.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            guard let value = fields.first.flatMap({ Int($0) }), fields.count >= 2, fields[1] == "kB" else { return nil }
            return value * 1024
        }
        return nil
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
