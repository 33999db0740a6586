#if canImport(Glibc)
import Glibc
#endif

/// How the process's allocator treats the large, short-lived buffers of tile analysis.
///
/// Every tile allocates planes of a few megabytes. glibc serves such blocks with `mmap` and
/// returns them to the kernel on `free`, so the next tile's planes arrive as fresh pages:
/// a page fault and a kernel zero-fill per 4 KiB, several milliseconds a tile. Keeping freed
/// blocks in the heap lets the next tile reuse the same (already mapped) memory. The peak
/// resident size does not grow: it stays that of the tiles in flight.
public enum MemoryPolicy {
    /// Blocks up to this size come from the heap and stay there when freed.
    public static let retainedBlockLimit: Int32 = 512 << 20

    /// Applies the policy to the whole process (call once, at start-up, from the executable).
    public static func retainFreedBlocks() {
        #if canImport(Glibc)
        // mallopt(3) is declared in <malloc.h>, which the Glibc module does not export: look
        // it up by name. Parameter numbers from <malloc.h>: M_TRIM_THRESHOLD −1, M_MMAP_THRESHOLD −3.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, retainedBlockLimit)
        _ = mallopt(-1, retainedBlockLimit)
        #endif
    }

    /// Returns the freed memory the heap holds to the kernel (glibc's `malloc_trim(0)`, every
    /// arena), for a caller that is done with large work of another kind — a benchmark after
    /// generating its tiles — before measuring what follows. Tiles analysed afterwards fault
    /// their buffers in once again and keep them, as at start-up.
    public static func releaseFreedBlocks() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
