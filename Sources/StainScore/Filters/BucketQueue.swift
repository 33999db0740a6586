/// A monotone priority queue over 256 levels: one contiguous FIFO buffer per level.
///
/// Pops read each buffer front to back, so the queue itself causes no cache misses (a
/// linked list threaded through a per-pixel `next` array costs one random read per pop).
/// Levels only ever grow during a flood, so a level's buffer is freed once passed.
struct BucketQueue: ~Copyable {
    private var buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    private var counts: UnsafeMutablePointer<Int>
    private var capacities: UnsafeMutablePointer<Int>
    private var heads: UnsafeMutablePointer<Int>

    init() {
        buffers = .allocate(capacity: 256)
        buffers.initialize(repeating: nil, count: 256)
        counts = .allocate(capacity: 256)
        counts.initialize(repeating: 0, count: 256)
        capacities = .allocate(capacity: 256)
        capacities.initialize(repeating: 0, count: 256)
        heads = .allocate(capacity: 256)
        heads.initialize(repeating: 0, count: 256)
    }

    deinit {
        for i in 0..<256 { buffers[i]?.deallocate() }
        buffers.deallocate()
        counts.deallocate()
        capacities.deallocate()
        heads.deallocate()
    }

    @inline(__always)
    mutating func push(_ value: UInt64, level: Int) {
        let count = counts[level]
        if count == capacities[level] {
            let newCapacity = max(1024, count &* 2)
            let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
            if let old = buffers[level] {
                grown.update(from: old, count: count)
                old.deallocate()
            }
            buffers[level] = grown
            capacities[level] = newCapacity
        }
        buffers[level].unsafelyUnwrapped[count] = value
        counts[level] = count &+ 1
    }

    /// The next value at `level`, or nil when that level is empty.
    @inline(__always)
    mutating func pop(level: Int) -> UInt64? {
        let head = heads[level]
        guard head < counts[level] else { return nil }
        heads[level] = head &+ 1
        return buffers[level].unsafelyUnwrapped[head]
    }

    /// Frees a level that will not be used again.
    mutating func release(level: Int) {
        buffers[level]?.deallocate()
        buffers[level] = nil
        counts[level] = 0
        capacities[level] = 0
        heads[level] = 0
    }
}
