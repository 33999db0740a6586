import Foundation
import StainScore

/// Plain, obviously-correct implementations of the optimised kernels: the oracles of
/// `KernelReferenceTests`. They favour clarity over speed (per-pixel arrays, bounds checks,
/// no frames, no bitmaps, no vectors) and were written from each kernel's documented
/// definition, not from its optimised code.
enum Reference {
    /// Per pixel: OD of each channel from the same 256-entry table, then the 3×3 product and
    /// the tissue code (0 glass: OD sum below the minimum; 2 dark: a channel above the maximum).
    static func separate(_ image: RGBImage, background: SIMD3<Double>, stains: StainMatrix, tissue: TissueParameters)
        -> (h: [Float], d: [Float], t: [UInt8]) {
        let table = OpticalDensityTable(background: background)
        let inv = stains.inverse
        var h: [Float] = [], d: [Float] = [], t: [UInt8] = []
        for i in 0..<image.pixelCount {
            let r = table.red[Int(image.pixels[3 * i])], g = table.green[Int(image.pixels[3 * i + 1])]
            let b = table.blue[Int(image.pixels[3 * i + 2])]
            // The same products and the same order of additions as the kernel's table sums.
            h.append(r * Float(inv[0][0]) + g * Float(inv[1][0]) + b * Float(inv[2][0]))
            d.append(r * Float(inv[0][1]) + g * Float(inv[1][1]) + b * Float(inv[2][1]))
            let sum = r + g + b
            t.append(sum < Float(tissue.minimumTissueOD) ? 0 : (max(r, g, b) > Float(tissue.maximumChannelOD) ? 2 : 1))
        }
        return (h, d, t)
    }

    /// The glass estimate as documented, with its default thresholds: of every `step`-th pixel,
    /// the candidates (each channel ≥ 200, channel spread ≤ 40); when at least 0.25 % of the
    /// samples lie among the brightest 5 % of the candidates, the per-channel lower median of
    /// those brightest candidates (by R + G + B, ties at the cut included), if every channel
    /// of it is ≥ 228; otherwise white.
    static func background(_ image: RGBImage, step: Int) -> (background: SIMD3<Double>, glassFraction: Double) {
        var candidates: [(r: Int, g: Int, b: Int)] = []
        var sampled = 0
        for i in stride(from: 0, to: image.pixelCount, by: step) {
            let r = Int(image.pixels[3 * i]), g = Int(image.pixels[3 * i + 1]), b = Int(image.pixels[3 * i + 2])
            sampled += 1
            if min(r, g, b) >= 200 && max(r, g, b) - min(r, g, b) <= 40 { candidates.append((r, g, b)) }
        }
        let fraction = Double(candidates.count) / Double(max(1, sampled))
        let white = SIMD3<Double>(255, 255, 255)
        guard !candidates.isEmpty, Double(candidates.count) * 0.05 >= 0.0025 * Double(sampled) else { return (white, fraction) }
        // The cut: the highest brightness at which the candidates at or above it reach 5 %.
        let brightness = candidates.map { $0.r + $0.g + $0.b }.sorted(by: >)
        let cut = brightness[Int((0.05 * Double(candidates.count)).rounded(.up)) - 1]
        let kept = candidates.filter { $0.r + $0.g + $0.b >= cut }
        func median(_ v: [Int]) -> Double { Double(v.sorted()[(v.count - 1) / 2]) }
        let glass = SIMD3(median(kept.map(\.r)), median(kept.map(\.g)), median(kept.map(\.b)))
        return (glass.min() >= 228 ? glass : white, fraction)
    }

    /// Separable Gaussian, scalar: each output k₀·x₀ + Σⱼ kⱼ·(x₋ⱼ + x₊ⱼ), ends clamped.
    static func blur(_ p: Plane<Float>, sigma: Double) -> Plane<Float> {
        let k = GaussianFilter.kernel(sigma: sigma), r = k.count / 2
        let w = p.width, h = p.height
        func at(_ x: Int, _ y: Int, _ v: [Float]) -> Float { v[min(h - 1, max(0, y)) * w + min(w - 1, max(0, x))] }
        var tmp = [Float](repeating: 0, count: w * h), out = tmp
        for y in 0..<h {
            for x in 0..<w {
                var a = k[r] * at(x, y, p.values)
                for j in stride(from: 1, through: r, by: 1) { a += k[r + j] * (at(x - j, y, p.values) + at(x + j, y, p.values)) }
                tmp[y * w + x] = a
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                var a = k[r] * at(x, y, tmp)
                for j in stride(from: 1, through: r, by: 1) { a += k[r + j] * (at(x, y - j, tmp) + at(x, y + j, tmp)) }
                out[y * w + x] = a
            }
        }
        return Plane(width: w, height: h, values: out)
    }

    /// Hole filling by a breadth-first flood of the background from every border pixel.
    static func fillHoles(_ mask: Plane<UInt8>) -> Plane<UInt8> {
        let w = mask.width, h = mask.height
        var reached = [Bool](repeating: false, count: w * h)
        var queue: [(Int, Int)] = []
        for y in 0..<h { for x in 0..<w where (x == 0 || y == 0 || x == w - 1 || y == h - 1) && mask[x, y] == 0 {
            reached[y * w + x] = true; queue.append((x, y))
        } }
        var head = 0
        while head < queue.count {
            let (x, y) = queue[head]; head += 1
            for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] where nx >= 0 && ny >= 0 && nx < w && ny < h {
                if mask[nx, ny] == 0 && !reached[ny * w + nx] { reached[ny * w + nx] = true; queue.append((nx, ny)) }
            }
        }
        return Plane(width: w, height: h, values: reached.map { $0 ? 0 : 1 })
    }

    /// Strict local maxima (ties go to the earlier pixel in row-major order) at or above the
    /// threshold inside the mask, then greedy suppression, strongest first, by brute force.
    static func peaks(_ plane: Plane<Float>, threshold: Float, mask: Plane<UInt8>?, minimumDistance: Float) -> [Int] {
        let w = plane.width, h = plane.height
        var candidates: [(Float, Int)] = []
        for y in 0..<h {
            for x in 0..<w {
                let p = y * w + x, c = plane.values[p]
                guard c >= threshold, mask.map({ $0.values[p] != 0 }) ?? true else { continue }
                var peak = true
                for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                    let q = ny * w + nx, o = plane.values[q]
                    if o > c || (o == c && q < p) { peak = false }
                } }
                if peak { candidates.append((c, p)) }
            }
        }
        candidates.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var kept: [Int] = []
        for (_, p) in candidates {
            let free = kept.allSatisfy { q in
                let dx = Float(q % w - p % w), dy = Float(q / w - p / w)
                return dx * dx + dy * dy >= minimumDistance * minimumDistance
            }
            if free { kept.append(p) }
        }
        return kept
    }

    /// Marker-controlled flooding by the definition: a FIFO per level (0…254, 255 taken as
    /// 254); pop the lowest non-empty level; claim free 4-neighbours (left, right, up, down)
    /// that pass the ridge and radius rules; queue each at max(its level, current level).
    static func flood(levels: Plane<UInt8>, labels: inout Plane<Int32>, centres: [SIMD2<Float>]? = nil,
                      radii: [Float]? = nil, ridgeStop: UInt8? = nil) {
        let w = levels.width, h = levels.height
        var fifo = [[(Int, Int)]](repeating: [], count: 256)
        func level(_ x: Int, _ y: Int) -> Int { min(254, Int(levels[x, y])) }
        for y in 0..<h { for x in 0..<w where labels[x, y] > 0 { fifo[level(x, y)].append((x, y)) } }
        for current in 0..<256 {
            var head = 0
            while head < fifo[current].count {
                let (x, y) = fifo[current][head]; head += 1
                let label = labels[x, y]
                for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)] {
                    guard nx >= 0, ny >= 0, nx < w, ny < h, labels[nx, ny] == 0 else { continue }
                    let l = level(nx, ny)
                    if let ridgeStop, current >= Int(ridgeStop), l * 2 < current { continue }
                    if let centres, let radii {
                        let c = centres[Int(label) - 1]
                        let dx = Float(nx) - c.x, dy = Float(ny) - c.y
                        if dx * dx + dy * dy > radii[Int(label) - 1] * radii[Int(label) - 1] { continue }
                    }
                    labels[nx, ny] = label
                    fifo[max(l, current)].append((nx, ny))
                }
            }
        }
    }
}
