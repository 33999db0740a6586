/// Row-major buffers of `(width + 2) × (height + 2)` values: a `width × height` inside with a
/// one-pixel frame around it, so that a kernel reading a pixel's 4-neighbours never needs a bounds
/// check (the watershed's level grid, the membrane passes' framed labels).
enum FramedBuffer {
    /// Initialises the frame of the uninitialised buffer at `base` to `value` — the top and bottom
    /// rows and the left and right columns, each value once — and leaves the inside (rows and
    /// columns 1 through `height` and `width`) to the caller, who writes it without a first pass
    /// over the whole buffer.
    static func initializeFrame<T>(_ base: UnsafeMutablePointer<T>, width w: Int, height h: Int, value: T) {
        let gw = w &+ 2
        base.initialize(repeating: value, count: gw &+ 1)  // the top row and row 1's left frame
        for y in 1..<(h &+ 1) {
            // Row y's right frame and row y + 1's left frame.
            (base + (y &* gw &+ w &+ 1)).initialize(repeating: value, count: 2)
        }
        (base + ((h &+ 1) &* gw &+ 1)).initialize(repeating: value, count: gw &- 1)  // the rest of the bottom row
    }
}
