/// Per-slide stain-vector estimation (Macenko et al., ISBI 2009), for batches whose stains
/// differ from the Ruifrok–Johnston defaults.
public enum StainEstimation {
    public struct Estimate: Sendable {
        public var stains: StainMatrix
        /// Angles (degrees) of the estimated vectors from the reference ones.
        public var hematoxylinShiftDegrees: Double
        public var dabShiftDegrees: Double
        public var warnings: [String]
    }

    /// The QC limit: an estimate further than this from the reference earns a warning.
    public static let warningAngleDegrees = 15.0

    /// Reads the slide's tiles (a sample of pixels from each) and estimates its stains.
    public static func estimate(slide: SlideInput, reader: ImageReader, reference: StainMatrix) -> Result<Estimate, EstimationFailure> {
        var images: [RGBImage] = []
        for path in slide.tilePaths.prefix(16) {
            if let image = try? reader.read(path) { images.append(image) }
        }
        return macenko(images, reference: reference)
    }

    public struct EstimationFailure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Macenko: optical-density vectors of stained pixels, their plane of greatest variance,
    /// and the two extreme angles (1st and 99th percentiles) in that plane as the stains.
    public static func macenko(_ images: [RGBImage], reference: StainMatrix, minimumOD: Double = 0.15,
                               percentile: Double = 0.01) -> Result<Estimate, EstimationFailure> {
        var ods: [SIMD3<Double>] = []
        for image in images {
            let (background, _) = BackgroundEstimation.estimate(image)
            let table = OpticalDensityTable(background: background)
            let step = max(1, image.pixelCount / 50_000)
            var i = 0
            while i < image.pixelCount {
                let od = SIMD3(Double(table.red[Int(image.pixels[3 * i])]), Double(table.green[Int(image.pixels[3 * i + 1])]),
                               Double(table.blue[Int(image.pixels[3 * i + 2])]))
                if od.sum() > minimumOD, od.max() < 2 { ods.append(od) }
                i += step
            }
        }
        guard ods.count >= 500 else { return .failure(EstimationFailure(description: "too few stained pixels (\(ods.count))")) }
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        for od in ods {
            for r in 0..<3 { for c in 0..<3 { m[r][c] += od[r] * od[c] } }
        }
        let (values, vectors) = symmetricEigen(m)
        let order = (0..<3).sorted { values[$0] > values[$1] }
        var v1 = vectors[order[0]], v2 = vectors[order[1]]
        if v1.sum() < 0 { v1 = -v1 }
        if (v2 * reference.hematoxylin).sum() < 0 { v2 = -v2 }
        var angles = ods.map { atan2(($0 * v2).sum(), ($0 * v1).sum()) }
        angles.sort()
        let lo = angles[Int(percentile * Double(angles.count - 1))]
        let hi = angles[Int((1 - percentile) * Double(angles.count - 1))]
        var a = cos(lo) * v1 + sin(lo) * v2, b = cos(hi) * v1 + sin(hi) * v2
        a = SIMD3(abs(a.x), abs(a.y), abs(a.z)); b = SIMD3(abs(b.x), abs(b.y), abs(b.z))
        let aIsH = StainMatrix.angleDegrees(a, reference.hematoxylin) + StainMatrix.angleDegrees(b, reference.dab)
            < StainMatrix.angleDegrees(b, reference.hematoxylin) + StainMatrix.angleDegrees(a, reference.dab)
        let stains = StainMatrix(hematoxylin: aIsH ? a : b, dab: aIsH ? b : a)
        let separation = StainMatrix.angleDegrees(stains.hematoxylin, stains.dab)
        guard separation >= 10 else {
            return .failure(EstimationFailure(description: "unstable estimate: the two stains are only \(Int(separation))° apart"))
        }
        let dh = StainMatrix.angleDegrees(stains.hematoxylin, reference.hematoxylin)
        let dd = StainMatrix.angleDegrees(stains.dab, reference.dab)
        var warnings: [String] = []
        if dh > warningAngleDegrees || dd > warningAngleDegrees {
            warnings.append(String(format: "estimated stain vectors are far from the defaults (H %.0f°, DAB %.0f°): check the stain QC", dh, dd))
        }
        return .success(Estimate(stains: stains, hematoxylinShiftDegrees: dh, dabShiftDegrees: dd, warnings: warnings))
    }

    /// Eigen-decomposition of a symmetric 3×3 matrix by Jacobi rotations.
    static func symmetricEigen(_ input: [[Double]]) -> ([Double], [SIMD3<Double>]) {
        var a = input
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            var p = 0, q = 1
            var largest = abs(a[0][1])
            if abs(a[0][2]) > largest { p = 0; q = 2; largest = abs(a[0][2]) }
            if abs(a[1][2]) > largest { p = 1; q = 2; largest = abs(a[1][2]) }
            if largest < 1e-15 { break }
            let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
            let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
            let c = 1 / (t * t + 1).squareRoot(), s = t * c
            for k in 0..<3 {
                let akp = a[k][p], akq = a[k][q]
                a[k][p] = c * akp - s * akq
                a[k][q] = s * akp + c * akq
            }
            for k in 0..<3 {
                let apk = a[p][k], aqk = a[q][k]
                a[p][k] = c * apk - s * aqk
                a[q][k] = s * apk + c * aqk
            }
            for k in 0..<3 {
                let vkp = v[k][p], vkq = v[k][q]
                v[k][p] = c * vkp - s * vkq
                v[k][q] = s * vkp + c * vkq
            }
        }
        let vectors = (0..<3).map { j in SIMD3(v[0][j], v[1][j], v[2][j]) }
        return ([a[0][0], a[1][1], a[2][2]], vectors)
    }
}

import Foundation
