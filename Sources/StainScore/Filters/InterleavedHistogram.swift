/// A histogram counted in four interleaved lanes: count number i goes to bin b's lane i & 3, at
/// b · 4 + (i & 3). Neighbouring pixels of a smooth image fall in the same bin, and one counter
/// per bin would make each addition wait for the last; four lanes run four chains side by side.
/// The counts are integers, so the folded histogram is the same whatever the order.
enum InterleavedHistogram {
    /// The lanes of `bins` bins, all zero.
    static func lanes(bins: Int) -> [Int32] { [Int32](repeating: 0, count: 4 * bins) }

    /// The lanes folded into one histogram of `lanes.count / 4` bins.
    static func fold(_ lanes: [Int32]) -> [Int] {
        (0..<(lanes.count / 4)).map { b in
            Int(lanes[4 * b]) + Int(lanes[4 * b + 1]) + Int(lanes[4 * b + 2]) + Int(lanes[4 * b + 3])
        }
    }
}
