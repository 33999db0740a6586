#if canImport(Glibc)
import Glibc
#endif
import StainScore
import Testing

/// The peak resident set the benchmarks report, against memory this test maps and touches itself.
@Suite("Process metrics")
struct ProcessMetricsTests {
    #if os(Linux)
    @Test("the peak resident set covers touched memory and starts afresh after a reset")
    func peakReset() throws {
        let bytes = 512 << 20  // far more than any other test holds at once, so they cannot blur the figures
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let before = ProcessMetrics.now().peakResidentBytes
        let mapping = try #require(mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapping != MAP_FAILED)
        let p = mapping.assumingMemoryBound(to: UInt8.self)
        for offset in stride(from: 0, to: bytes, by: page) { p[offset] = 1 }  // every page resident
        let touched = ProcessMetrics.now().peakResidentBytes
        #expect(touched >= bytes, "peak \(touched) after touching \(bytes) bytes")
        #expect(touched >= before)
        munmap(mapping, bytes)
        // Unmapped, the memory still counts in the peak until the reset.
        #expect(ProcessMetrics.now().peakResidentBytes >= bytes)
        #expect(ProcessMetrics.resetPeakResident())
        let reset = ProcessMetrics.now().peakResidentBytes
        #expect(reset > 0 && reset <= touched - bytes / 2, "peak \(reset) after the reset, \(touched) before")
    }
    #endif
}
