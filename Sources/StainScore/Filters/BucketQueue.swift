/// The FIFOs of a flood over 256 levels: one contiguous buffer per level.
///
/// Pops read each buffer front to back, so the queue itself causes no cache misses (a
/// linked list threaded through a per-pixel `next` array costs one random read per pop).
/// Levels only ever grow during a flood: the flood takes the current level's buffer out
/// (`take`) and drains it from local variables, so its hot loop keeps no queue state in
/// memory, and frees it once passed.
struct LevelQueues: ~Copyable {
    private let buffers: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    private let counts: UnsafeMutablePointer<Int>
    private let capacities: UnsafeMutablePointer<Int>

    init() {
        buffers = .allocate(capacity: 256)
        buffers.initialize(repeating: nil, count: 256)
        counts = .allocate(capacity: 256)
        counts.initialize(repeating: 0, count: 256)
        capacities = .allocate(capacity: 256)
        capacities.initialize(repeating: 0, count: 256)
    }

    deinit {
        for i in 0..<256 { buffers[i]?.deallocate() }
        buffers.deallocate()
        counts.deallocate()
        capacities.deallocate()
    }

    /// A buffer twice as large (at least 1024 entries) holding the first `count` entries of
    /// `buffer`, which is freed.
    @inline(never)
    static func grow(_ buffer: UnsafeMutablePointer<UInt64>, count: Int, capacity: Int)
        -> (UnsafeMutablePointer<UInt64>, Int) {
        let newCapacity = Swift.max(1024, capacity &* 2)
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
        grown.update(from: buffer, count: count)
        buffer.deallocate()
        return (grown, newCapacity)
    }

    /// Makes the still unused FIFO of `level` hold `capacity` entries without growing (nothing
    /// when `capacity` ≤ 1024, what its first push allocates anyway).
    func reserve(level: Int, capacity: Int) {
        precondition(buffers[level] == nil, "reserve a level before its first push")
        guard capacity > 1024 else { return }
        buffers[level] = .allocate(capacity: capacity)
        capacities[level] = capacity
    }

    /// Appends `value` at `level`.
    @inline(__always)
    func push(_ value: UInt64, level: Int) {
        let count = counts[level]
        if count == capacities[level] {
            if let old = buffers[level] {
                (buffers[level], capacities[level]) = Self.grow(old, count: count, capacity: count)
            } else {
                buffers[level] = .allocate(capacity: 1024)
                capacities[level] = 1024
            }
        }
        buffers[level].unsafelyUnwrapped[count] = value
        counts[level] = count &+ 1
    }

    /// Hands the FIFO of `level` to the caller (buffer, count, capacity; the caller frees the
    /// buffer) and empties the level.
    func take(level: Int) -> (buffer: UnsafeMutablePointer<UInt64>, count: Int, capacity: Int) {
        let buffer = buffers[level] ?? .allocate(capacity: 1)
        let taken = (buffer, counts[level], buffers[level] == nil ? 1 : capacities[level])
        buffers[level] = nil
        counts[level] = 0
        capacities[level] = 0
        return taken
    }
}
