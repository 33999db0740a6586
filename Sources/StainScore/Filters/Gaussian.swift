import Foundation

/// Separable Gaussian smoothing with edge clamping.
public enum GaussianFilter {
    /// Normalised 1-D kernel of radius ⌈3σ⌉.
    public static func kernel(sigma: Double) -> [Float] {
        guard sigma > 0 else { return [1] }
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var k = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let sum = k.reduce(0, +)
        for i in k.indices { k[i] /= sum }
        return k
    }

    /// Smooths `plane` with a Gaussian of standard deviation `sigma` pixels.
    public static func blur(_ plane: Plane<Float>, sigma: Double) -> Plane<Float> {
        guard sigma > 0, plane.count > 0 else { return plane }
        // Every value is written by the passes below, so the storage starts uninitialised.
        return Plane<Float>(width: plane.width, height: plane.height, initializingWith: { dst in
            blurRows(plane, sigma: sigma, into: dst)
        })
    }

    /// Smooths `plane` into `out` (same size), reusing its storage.
    public static func blur(_ plane: Plane<Float>, sigma: Double, into out: inout Plane<Float>) {
        precondition(out.width == plane.width && out.height == plane.height)
        guard plane.count > 0 else { return }
        guard sigma > 0 else { out.values = plane.values; return }
        out.values.withUnsafeMutableBufferPointer { blurRows(plane, sigma: sigma, into: $0.baseAddress!) }
    }

    /// The two passes into `dst` (`plane.count` values, all written).
    ///
    /// The kernel is symmetric, so each output is `k₀·x₀ + Σⱼ kⱼ·(x₋ⱼ + x₊ⱼ)`: half the
    /// multiplications. Outputs are formed 32 at a time in two `SIMD16<Float>` accumulators,
    /// so the additions of one output are not one long dependency chain. The horizontal pass
    /// reads the row itself, except at the r columns of each end, which are clamped one at a
    /// time (a row of 2r columns or fewer goes through a padded copy); the vertical pass reads
    /// whole rows, the row index clamped at the top and bottom. The horizontally smoothed rows live in
    /// a ring of 2r + 1 rows (row sy in slot sy mod the ring's size), each made just before the
    /// first output row that needs it: they stay in cache instead of making a second plane. Every
    /// output is the same sum in the same order whatever the vector width, so results do not
    /// depend on the build's CPU target or on the image width.
    static func blurRows(_ plane: Plane<Float>, sigma: Double, into dst: UnsafeMutablePointer<Float>) {
        let k = kernel(sigma: sigma)
        let r = k.count / 2
        let w = plane.width, h = plane.height
        // The window of output row y is rows [y − r, y + r] clamped: at most min(2r + 1, h)
        // consecutive rows, so their slots never collide.
        let slots = Swift.min(2 &* r &+ 1, h)
        var ring = [Float](repeating: 0, count: slots * w)
        var padded = [Float](repeating: 0, count: w + 2 * r + 32)
        // The 2r + 1 rows each pass sums: for the horizontal pass, the padded row shifted by j
        // (set once); for the vertical, the ring's rows (set per output row).
        var shifted = [UnsafePointer<Float>?](repeating: nil, count: 2 * r + 1)
        var rows = [UnsafePointer<Float>?](repeating: nil, count: 2 * r + 1)
        var interior = [UnsafePointer<Float>?](repeating: nil, count: 2 * r + 1)
        plane.values.withUnsafeBufferPointer { srcBuffer in
        interior.withUnsafeMutableBufferPointer { interiorBuffer in
        ring.withUnsafeMutableBufferPointer { ringBuffer in
        padded.withUnsafeMutableBufferPointer { padBuffer in
        shifted.withUnsafeMutableBufferPointer { shiftBuffer in
        rows.withUnsafeMutableBufferPointer { rowBuffer in
        k.withUnsafeBufferPointer { kBuffer in
            let src = srcBuffer.baseAddress!, mid = ringBuffer.baseAddress!
            let pad = padBuffer.baseAddress!, kp = kBuffer.baseAddress! + r, rp = rowBuffer.baseAddress!
            let padConst = UnsafePointer(pad), midConst = UnsafePointer(mid)
            for j in -r...r { shiftBuffer[j &+ r] = padConst + (r &+ j) }
            let hp = UnsafePointer(shiftBuffer.baseAddress!), ip = UnsafePointer(interiorBuffer.baseAddress!)
            // Horizontal pass of source row sy into its slot, ends clamped: from the row itself,
            // or for a row of 2r columns or fewer from its padded copy (pad[x + r] = row[x]).
            var made = 0  // rows [0, made) have been smoothed horizontally
            func horizontal(upTo last: Int) {
                while made <= last {
                    let row = src + made &* w, out = mid + (made % slots) &* w
                    if w > 2 &* r {
                        // Columns [r, w − r) read the row itself; the r at each end, clamped, one
                        // at a time (the sum in the same order as the vector lanes').
                        for j in -r...r { interiorBuffer[j &+ r] = row + (r &+ j) }
                        Self.symmetricRows(rows: ip, kernel: kp, radius: r, count: w &- 2 &* r, out: out + r)
                        @inline(__always) func edge(_ x: Int) {
                            var a = kp[0] * row[x]
                            var j = 1
                            while j <= r {
                                a += kp[j] * (row[Swift.max(0, x &- j)] + row[Swift.min(w &- 1, x &+ j)])
                                j &+= 1
                            }
                            out[x] = a
                        }
                        for x in 0..<r { edge(x) }
                        for x in (w &- r)..<w { edge(x) }
                    } else {
                        for x in 0..<r { pad[x] = row[0]; pad[r &+ w &+ x] = row[w &- 1] }
                        (pad + r).update(from: row, count: w)
                        Self.symmetricRows(rows: hp, kernel: kp, radius: r, count: w, out: out)
                    }
                    made &+= 1
                }
            }
            // Vertical pass: the 2r + 1 source rows of output row y, clamped.
            for y in 0..<h {
                horizontal(upTo: Swift.min(h &- 1, y &+ r))
                for j in -r...r {
                    let sy = Swift.min(h &- 1, Swift.max(0, y &+ j))
                    rp[j &+ r] = midConst + (sy % slots) &* w
                }
                Self.symmetricRows(rows: UnsafePointer(rp), kernel: kp, radius: r, count: w, out: dst + y &* w)
            }
        }}}}}}}
    }

    /// out[x] = k₀·rows[r][x] + Σⱼ kⱼ·(rows[r − j][x] + rows[r + j][x]) for x in 0..<count: both
    /// passes (the horizontal one with rows[r + j] = the padded row shifted by j).
    @inline(__always)
    static func symmetricRows(rows: UnsafePointer<UnsafePointer<Float>?>, kernel kp: UnsafePointer<Float>, radius r: Int,
                              count: Int, out: UnsafeMutablePointer<Float>) {
        let centre = UnsafeRawPointer(rows[r].unsafelyUnwrapped)
        var x = 0
        while x &+ 32 <= count {
            var a0 = SIMD16<Float>(repeating: kp[0]) * centre.loadUnaligned(fromByteOffset: x &* 4, as: SIMD16<Float>.self)
            var a1 = SIMD16<Float>(repeating: kp[0]) * centre.loadUnaligned(fromByteOffset: (x &+ 16) &* 4, as: SIMD16<Float>.self)
            var j = 1
            while j <= r {
                let kj = SIMD16<Float>(repeating: kp[j])
                let lo = UnsafeRawPointer(rows[r &- j].unsafelyUnwrapped), hi = UnsafeRawPointer(rows[r &+ j].unsafelyUnwrapped)
                let l0 = lo.loadUnaligned(fromByteOffset: x &* 4, as: SIMD16<Float>.self)
                let h0 = hi.loadUnaligned(fromByteOffset: x &* 4, as: SIMD16<Float>.self)
                let l1 = lo.loadUnaligned(fromByteOffset: (x &+ 16) &* 4, as: SIMD16<Float>.self)
                let h1 = hi.loadUnaligned(fromByteOffset: (x &+ 16) &* 4, as: SIMD16<Float>.self)
                a0 += kj * (l0 + h0)
                a1 += kj * (l1 + h1)
                j &+= 1
            }
            UnsafeMutableRawPointer(out + x).storeBytes(of: a0, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + (x &+ 16)).storeBytes(of: a1, as: SIMD16<Float>.self)
            x &+= 32
        }
        // Fewer than 32 left (the horizontal pass's 2r columns short of a row of 32s): 16 and
        // then 8 at a time, the same sums lane by lane, before the last few one at a time.
        @inline(__always) func lanes<V: SIMD>(_: V.Type) where V.Scalar == Float {
            let n = V.scalarCount
            while x &+ n <= count {
                var a = V(repeating: kp[0]) * centre.loadUnaligned(fromByteOffset: x &* 4, as: V.self)
                var j = 1
                while j <= r {
                    let lo = UnsafeRawPointer(rows[r &- j].unsafelyUnwrapped), hi = UnsafeRawPointer(rows[r &+ j].unsafelyUnwrapped)
                    a += V(repeating: kp[j]) * (lo.loadUnaligned(fromByteOffset: x &* 4, as: V.self)
                                                + hi.loadUnaligned(fromByteOffset: x &* 4, as: V.self))
                    j &+= 1
                }
                UnsafeMutableRawPointer(out + x).storeBytes(of: a, as: V.self)
                x &+= n
            }
        }
        lanes(SIMD16<Float>.self)
        lanes(SIMD8<Float>.self)
        while x < count {
            var a = kp[0] * rows[r].unsafelyUnwrapped[x]
            var j = 1
            while j <= r { a += kp[j] * (rows[r &- j].unsafelyUnwrapped[x] + rows[r &+ j].unsafelyUnwrapped[x]); j &+= 1 }
            out[x] = a
            x &+= 1
        }
    }
}
