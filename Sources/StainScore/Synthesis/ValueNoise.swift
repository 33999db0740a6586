/// Smooth periodic random field on a square lattice (value noise, smoothstep interpolation).
///
/// Used wherever tissue needs spatial correlation without structure: nest shapes, clonal class
/// regions, chromatin texture, stromal fibres, illumination. Sampling is in lattice units, so the
/// caller chooses the feature size (`x / scalePixels`); the field repeats every `size` units.
struct ValueNoise: Sendable {
    let size: Int
    private let values: [Float]

    init(size: Int, rng: inout SplitMix64) {
        self.size = size
        var v = [Float](repeating: 0, count: size * size)
        for i in 0..<v.count { v[i] = Float(rng.nextUnit()) }
        values = v
    }

    /// Value in [0, 1] at lattice coordinates (x, y).
    func sample(_ x: Double, _ y: Double) -> Double {
        let fx = x.rounded(.down), fy = y.rounded(.down)
        var tx = x - fx, ty = y - fy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        let n = size
        let ix = ((Int(fx) % n) + n) % n, iy = ((Int(fy) % n) + n) % n
        let ix1 = ix + 1 == n ? 0 : ix + 1, iy1 = iy + 1 == n ? 0 : iy + 1
        return values.withUnsafeBufferPointer { v in
            let a = Double(v[iy &* n &+ ix]), b = Double(v[iy &* n &+ ix1])
            let c = Double(v[iy1 &* n &+ ix]), d = Double(v[iy1 &* n &+ ix1])
            let top = a + (b - a) * tx, bottom = c + (d - c) * tx
            return top + (bottom - top) * ty
        }
    }

    /// Two octaves (weights 2/3, 1/3), still in [0, 1]: less blobby than one octave.
    func fractal(_ x: Double, _ y: Double) -> Double {
        (2 * sample(x, y) + sample(2.03 * x + 17.1, 2.03 * y + 5.3)) / 3
    }
}
