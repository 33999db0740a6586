import Foundation

/// Turns stain concentrations into a camera image: Beer–Lambert transmission through the slide's
/// stain vectors, out-of-focus patches, uneven illumination of a tinted glass, sensor noise and
/// 8-bit quantisation — in the order light meets them.
enum Optics {
    /// `RGB = I0 · L(x,y) · 10^(−OD) + noise`, with `OD = c_H·h + c_DAB·d + c_pink·p`.
    ///
    /// The realistic style (`realistic` set) adds soft focus over the whole tile (before the
    /// out-of-focus patches) and a linear illumination gradient on top of the radial fall-off.
    /// `dabScale` multiplies the DAB concentration (a weaker or stronger lab stain); at 1 the
    /// products are exactly those without it (x · 1 = x), so default tiles keep their bytes.
    static func expose(_ planes: SynthStainPlanes, stains: StainVectors, nuisances: Nuisances, micronsPerPixel: Double,
                       realistic: RealisticParameters? = nil, dabScale: Double = 1, rng: inout SplitMix64) -> RGBImage {
        let w = planes.width, h = planes.height, n = w * h
        let hv = stains.hematoxylin, dv = stains.dab, pv = SynthStainPlanes.pinkVector
        let ln10 = 2.302585092994046
        // Transmission per channel.
        var t: [[Float]] = (0..<3).map { _ in [Float](repeating: 1, count: n) }
        for ch in 0..<3 {
            let a = Float(hv[ch] * ln10), b = Float(dv[ch] * ln10 * dabScale), p = Float(pv[ch] * ln10)
            planes.hematoxylin.withUnsafeBufferPointer { hp in
            planes.dab.withUnsafeBufferPointer { dp in
            planes.pink.withUnsafeBufferPointer { pp in
            t[ch].withUnsafeMutableBufferPointer { tp in
                for k in 0..<n { tp[k] = expf(-(a * hp[k] + b * dp[k] + p * pp[k])) }
            }}}}
        }
        // Out-of-focus patches: blend towards a Gaussian-blurred copy inside a soft disc.
        let um = 1 / micronsPerPixel
        if let focus = realistic?.focusSigmaMicrons, focus * um > 0.05 {
            for ch in 0..<3 { gaussianBlur(&t[ch], width: w, height: h, sigma: focus * um) }
        }
        for _ in 0..<nuisances.blurPatches {
            let cx = rng.uniform(0...Double(w)), cy = rng.uniform(0...Double(h))
            let radius = rng.uniform(25...70) * um
            let sigma = nuisances.blurSigmaMicrons * um
            for ch in 0..<3 { blurPatch(&t[ch], width: w, height: h, cx: cx, cy: cy, radius: radius, sigma: sigma) }
        }
        // Illumination: a smooth radial fall-off from an off-centre brightest point.
        let vx = Double(w) * rng.uniform(0.3...0.7), vy = Double(h) * rng.uniform(0.3...0.7)
        let far = [(0.0, 0.0), (Double(w), 0.0), (0.0, Double(h)), (Double(w), Double(h))]
            .map { ($0.0 - vx) * ($0.0 - vx) + ($0.1 - vy) * ($0.1 - vy) }.max()!
        let vig = nuisances.vignetting / far
        // Linear gradient: 0 at the brightest corner's side, `illuminationGradient` at the opposite one.
        let gradient = realistic?.illuminationGradient ?? 0, gAngle = realistic?.illuminationAngle ?? 0
        let gx = cos(gAngle), gy = sin(gAngle)
        let gHalf = max(1, (abs(gx) * Double(w) + abs(gy) * Double(h)) / 2)
        // Sensor noise: a table of normal deviates indexed by random bits (fast and reproducible).
        let sigma = nuisances.noiseSigma
        var table = [Float](repeating: 0, count: 4096)
        if sigma > 0 { for k in 0..<4096 { table[k] = Float(rng.normal() * sigma) } }
        var pixels = [UInt8](repeating: 0, count: n * 3)
        let g0 = Float(nuisances.glass[0]), g1 = Float(nuisances.glass[1]), g2 = Float(nuisances.glass[2])
        t[0].withUnsafeBufferPointer { t0 in
        t[1].withUnsafeBufferPointer { t1 in
        t[2].withUnsafeBufferPointer { t2 in
        table.withUnsafeBufferPointer { nt in
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let dy = Double(y) + 0.5 - vy
                for x in 0..<w {
                    let dx = Double(x) + 0.5 - vx
                    var light = Float(1 - vig * (dx * dx + dy * dy))
                    if gradient > 0 {
                        let along = ((Double(x) + 0.5 - Double(w) / 2) * gx + (Double(y) + 0.5 - Double(h) / 2) * gy) / gHalf
                        light *= Float(1 - gradient * (0.5 + 0.5 * along))
                    }
                    let k = y &* w &+ x
                    var r0: Float = 0, r1: Float = 0, r2: Float = 0
                    if sigma > 0 {
                        let bits = rng.next()
                        r0 = nt[Int(bits & 4095)]
                        r1 = nt[Int((bits >> 12) & 4095)]
                        r2 = nt[Int((bits >> 24) & 4095)]
                    }
                    out[k &* 3] = quantise(g0 * light * t0[k] + r0)
                    out[k &* 3 &+ 1] = quantise(g1 * light * t1[k] + r1)
                    out[k &* 3 &+ 2] = quantise(g2 * light * t2[k] + r2)
                }
            }
        }}}}}
        return RGBImage(width: w, height: h, pixels: pixels,
                        pixelSize: PixelSize(micronsPerPixel: micronsPerPixel, source: .synthetic))
    }

    @inline(__always)
    static func quantise(_ v: Float) -> UInt8 {
        let r = (v + 0.5).rounded(.down)
        return r <= 0 ? 0 : (r >= 255 ? 255 : UInt8(r))
    }

    /// Gaussian blur (σ px) of a whole plane, separable, edges clamped.
    static func gaussianBlur(_ plane: inout [Float], width w: Int, height h: Int, sigma: Double) {
        let halo = max(1, Int((3 * sigma).rounded(.up)))
        var kernel = (-halo...halo).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let ksum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / ksum }
        var tmp = [Float](repeating: 0, count: w * h)
        plane.withUnsafeBufferPointer { p in
        tmp.withUnsafeMutableBufferPointer { t in
            for y in 0..<h {
                let row = y * w
                for x in 0..<w {
                    var s: Float = 0
                    for m in 0..<kernel.count { s += kernel[m] * p[row + min(w - 1, max(0, x + m - halo))] }
                    t[row + x] = s
                }
            }
        }}
        tmp.withUnsafeBufferPointer { t in
        plane.withUnsafeMutableBufferPointer { p in
            for y in 0..<h {
                for x in 0..<w {
                    var s: Float = 0
                    for m in 0..<kernel.count { s += kernel[m] * t[min(h - 1, max(0, y + m - halo)) * w + x] }
                    p[y * w + x] = s
                }
            }
        }}
    }

    /// Blends `plane` towards its Gaussian blur (σ px) inside a disc of `radius` with a soft edge.
    static func blurPatch(_ plane: inout [Float], width w: Int, height h: Int, cx: Double, cy: Double,
                          radius: Double, sigma: Double) {
        let outer = radius * 1.4, halo = Int((3 * sigma).rounded(.up))
        let x0 = max(0, Int(cx - outer)), x1 = min(w - 1, Int(cx + outer))
        let y0 = max(0, Int(cy - outer)), y1 = min(h - 1, Int(cy + outer))
        guard x0 <= x1, y0 <= y1, sigma > 0 else { return }
        let kernel = (-halo...halo).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let ksum = kernel.reduce(0, +)
        let bx0 = max(0, x0 - halo), bx1 = min(w - 1, x1 + halo), by0 = max(0, y0 - halo), by1 = min(h - 1, y1 + halo)
        let bw = bx1 - bx0 + 1, bh = by1 - by0 + 1
        // Horizontal pass over the haloed box, then vertical into the patch box (edges clamp).
        var tmp = [Float](repeating: 0, count: bw * bh)
        for y in 0..<bh {
            for x in 0..<bw {
                var s: Float = 0
                for (m, kv) in kernel.enumerated() {
                    let xx = min(bw - 1, max(0, x + m - halo))
                    s += kv * plane[(by0 + y) * w + bx0 + xx]
                }
                tmp[y * bw + x] = s / ksum
            }
        }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                let d = (dx * dx + dy * dy).squareRoot()
                let weight = d <= radius ? 1.0 : (d >= outer ? 0.0 : (outer - d) / (outer - radius))
                guard weight > 0 else { continue }
                var s: Float = 0
                let lx = x - bx0
                for (m, kv) in kernel.enumerated() {
                    let yy = min(bh - 1, max(0, y - by0 + m - halo))
                    s += kv * tmp[yy * bw + lx]
                }
                let k = y * w + x
                plane[k] = plane[k] * Float(1 - weight) + s / ksum * Float(weight)
            }
        }
    }
}
