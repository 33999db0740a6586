/// Stain optical-density directions and their inverse, for colour deconvolution
/// (Ruifrok & Johnston 2001).
///
/// Each stain is a unit vector of RGB optical densities; the third stain (residual) is the
/// normalised cross product of the first two, so the 3×3 matrix is always invertible for
/// two distinct stains.
public struct StainMatrix: Sendable, Hashable, Codable {
    /// Hematoxylin OD direction (unit vector, RGB).
    public var hematoxylin: SIMD3<Double>
    /// DAB OD direction (unit vector, RGB).
    public var dab: SIMD3<Double>

    /// The QuPath / scikit-image H-DAB defaults: H (0.650, 0.704, 0.286), DAB (0.268, 0.570, 0.776).
    public static let ruifrokJohnstonHDAB = StainMatrix(hematoxylin: SIMD3(0.650, 0.704, 0.286),
                                                        dab: SIMD3(0.268, 0.570, 0.776))

    public init(hematoxylin: SIMD3<Double>, dab: SIMD3<Double>) {
        self.hematoxylin = Self.normalised(hematoxylin)
        self.dab = Self.normalised(dab)
    }

    /// The residual direction: orthogonal to both stains.
    public var residual: SIMD3<Double> {
        let h = hematoxylin, d = dab
        return Self.normalised(SIMD3(h.y * d.z - h.z * d.y, h.z * d.x - h.x * d.z, h.x * d.y - h.y * d.x))
    }

    /// The matrix that maps RGB optical densities to (H, DAB, residual) concentrations:
    /// rows of the inverse of [H; DAB; residual]. Element [c][s] multiplies OD channel c
    /// for stain s.
    public var inverse: [[Double]] {
        let m = [hematoxylin, dab, residual]
        // Rows of M are stains; OD = conc · M, so conc = OD · M⁻¹.
        let a = m[0].x, b = m[0].y, c = m[0].z
        let d = m[1].x, e = m[1].y, f = m[1].z
        let g = m[2].x, h = m[2].y, i = m[2].z
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
        let inv = [
            [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
            [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
            [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
        ]
        return inv
    }

    /// Angle between two directions in degrees.
    public static func angleDegrees(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> Double {
        let c = max(-1, min(1, (u * v).sum() / (length(u) * length(v))))
        return acos(c) * 180 / .pi
    }

    static func length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    static func normalised(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let n = length(v)
        return n > 0 ? v / n : v
    }
}

#if canImport(Glibc)
import Glibc
#endif
