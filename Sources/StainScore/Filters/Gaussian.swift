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
    ///
    /// Both passes are written as whole-row multiply-adds (out[x] += w_k · in[x + k] for each
    /// k), which the compiler vectorises; edges are clamped.
    public static func blur(_ plane: Plane<Float>, sigma: Double) -> Plane<Float> {
        guard sigma > 0, plane.count > 0 else { return plane }
        let k = kernel(sigma: sigma)
        let r = k.count / 2
        let w = plane.width, h = plane.height
        var tmp = [Float](repeating: 0, count: plane.count)
        var out = [Float](repeating: 0, count: plane.count)
        // Horizontal pass, row by row through a padded copy.
        var padded = [Float](repeating: 0, count: w + 2 * r)
        plane.values.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { dst in
                padded.withUnsafeMutableBufferPointer { pad in
                    k.withUnsafeBufferPointer { kp in
                        for y in 0..<h {
                            let row = y &* w
                            for x in 0..<(w + 2 * r) {
                                pad[x] = src[row &+ min(w &- 1, max(0, x &- r))]
                            }
                            for x in 0..<w { dst[row &+ x] = 0 }
                            for j in 0..<kp.count {
                                let weight = kp[j]
                                var x = 0
                                while x < w {
                                    dst[row &+ x] += weight * pad[x &+ j]
                                    x &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass: each output row is a weighted sum of whole input rows.
        tmp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                k.withUnsafeBufferPointer { kp in
                    for y in 0..<h {
                        let row = y &* w
                        for j in 0..<kp.count {
                            let sy = min(h &- 1, max(0, y &+ j &- r))
                            let srow = sy &* w
                            let weight = kp[j]
                            var x = 0
                            while x < w {
                                dst[row &+ x] += weight * src[srow &+ x]
                                x &+= 1
                            }
                        }
                    }
                }
            }
        }
        return Plane(width: w, height: h, values: out)
    }
}

import Foundation
