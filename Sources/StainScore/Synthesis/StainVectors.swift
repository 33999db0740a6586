import Foundation

/// The optical-density directions of the two stains (and their residual), unit length, RGB order.
///
/// Beer–Lambert: a pixel's optical density is `OD_rgb = c_H·h + c_DAB·d (+ c_res·r)`, so the stain
/// concentrations follow from the OD by inverting the 3×3 matrix of the vectors. The renderer uses
/// these vectors forwards; tests (and later the scorer) use `unmix` backwards.
public struct StainVectors: Sendable, Hashable, Codable {
    public var hematoxylin: [Double]
    public var dab: [Double]
    /// Unit cross product of the two stains: completes the basis for unmixing.
    public var residual: [Double]

    /// Normalises both vectors and derives the residual.
    public init(hematoxylin: [Double], dab: [Double]) {
        precondition(hematoxylin.count == 3 && dab.count == 3, "stain vectors have three components")
        let h = Self.normalized(hematoxylin), d = Self.normalized(dab)
        self.hematoxylin = h
        self.dab = d
        residual = Self.normalized(Self.cross(h, d))
    }

    /// Ruifrok & Johnston 2001 (the QuPath / scikit-image defaults), normalised.
    public static let ruifrokJohnston = StainVectors(hematoxylin: [0.650, 0.704, 0.286], dab: [0.268, 0.570, 0.776])

    /// Each stain vector turned by `degrees` about its own random perpendicular axis — the batch-to-batch
    /// variation of real stains (the two rotations are independent; components stay positive).
    public func rotated(byDegrees degrees: Double, rng: inout SplitMix64) -> StainVectors {
        func turn(_ v: [Double]) -> [Double] {
            let r = [rng.nextUnit() - 0.5, rng.nextUnit() - 0.5, rng.nextUnit() - 0.5]
            let axis = Self.normalized(Self.cross(v, r))
            let angle = degrees * .pi / 180
            let a = Self.cross(axis, v)
            return Self.normalized((0..<3).map { max(0.001, v[$0] * cos(angle) + a[$0] * sin(angle)) })
        }
        return StainVectors(hematoxylin: turn(hematoxylin), dab: turn(dab))
    }

    /// Angle in degrees between two unit vectors.
    public static func angleDegrees(_ a: [Double], _ b: [Double]) -> Double {
        let c = max(-1, min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]))
        return acos(c) * 180 / .pi
    }

    /// Stain concentrations (log10 OD units along each vector) of one pixel's optical density.
    public func unmix(_ od: (Double, Double, Double)) -> (hematoxylin: Double, dab: Double, residual: Double) {
        let m = inverse
        let v = [od.0, od.1, od.2]
        func row(_ r: Int) -> Double { m[r * 3] * v[0] + m[r * 3 + 1] * v[1] + m[r * 3 + 2] * v[2] }
        return (row(0), row(1), row(2))
    }

    /// Inverse of the matrix whose columns are (h, d, r): row-major, 9 entries.
    public var inverse: [Double] {
        let h = hematoxylin, d = dab, r = residual
        // M = [h d r] as columns; M⁻¹ rows are the cross products divided by the determinant.
        let c0 = Self.cross(d, r), c1 = Self.cross(r, h), c2 = Self.cross(h, d)
        let det = h[0] * c0[0] + h[1] * c0[1] + h[2] * c0[2]
        return (c0 + c1 + c2).map { $0 / det }
    }

    static func cross(_ a: [Double], _ b: [Double]) -> [Double] {
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    }

    static func normalized(_ v: [Double]) -> [Double] {
        let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }
}
