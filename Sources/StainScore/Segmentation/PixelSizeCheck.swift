import Foundation

/// Whether the nuclei found agree with the pixel size given.
///
/// Every length limit of the analysis is in µm, converted with the pixel size; JPEG tiles and
/// crops carry none, and a wrong `--mpp` silently shifts every size rule. Nuclei are the one
/// ruler the tissue carries: the geometric mean area of the nucleus-mask regions (tumour,
/// lymphocytes and stroma together, before touching nuclei are split) lies near
/// `typicalNucleusAreaMicrons2` on tissue at its true pixel size.
public struct PixelSizeCheckParameters: Sendable, Hashable, Codable {
    /// The geometric mean area (µm²) of the nucleus-mask regions expected at the true pixel
    /// size: 39, 41 and 75 µm² on three real Ki-67 sets at their nominal 0.25 µm/px, 42 on
    /// real HER2 oesophageal cores at 0.25, 50 on virtual slides at 0.5 (geometric mean 48).
    public var typicalNucleusAreaMicrons2: Double = 45
    /// The measured areas grow as the pixel-size error to this power, not 2: the detection's
    /// smoothing lengths are in µm, so at a wrong pixel size it also sees the nuclei differently.
    /// Measured on the three Ki-67 sets scored at 0.5×, 1× and 2× their nominal pixel size
    /// (0.85, 0.86 and 1.3).
    public var areaExponent: Double = 1.0
    /// Warn when the pixel size the nuclei suggest differs from the given one by more than
    /// this factor, either way.
    public var tolerance: Double = 1.5
    /// No verdict from fewer nuclei than this.
    public var minimumNuclei: Int = 100
    public init() {}
}

/// The sizes of nucleus-mask regions (the blobs before touching nuclei are split, so a nucleus
/// split in pieces at a wrong pixel size still counts whole): how many, and the sum of their
/// log areas, so tiles pool into an exact geometric mean.
public struct NucleusSizeSummary: Sendable, Hashable, Codable {
    public var regions: Int = 0
    public var logAreaSum: Double = 0
    public init() {}
    public init(areasMicrons2: [Double]) {
        for a in areasMicrons2 where a > 0 { regions += 1; logAreaSum += log(a) }
    }
    public mutating func add(_ other: NucleusSizeSummary) {
        regions += other.regions
        logAreaSum += other.logAreaSum
    }
    /// Geometric mean area, µm²; nil when empty.
    public var typicalAreaMicrons2: Double? { regions > 0 ? exp(logAreaSum / Double(regions)) : nil }

    /// A mismatch between the given pixel size and the one the nuclei suggest, or nil when they
    /// agree within the tolerance (or there are too few regions to tell).
    public func check(_ p: PixelSizeCheckParameters, given: Double) -> PixelSizeMismatch? {
        guard regions >= p.minimumNuclei, let area = typicalAreaMicrons2, area > 0, given > 0 else { return nil }
        let suggested = given * pow(p.typicalNucleusAreaMicrons2 / area, 1 / p.areaExponent)
        let ratio = max(suggested / given, given / suggested)
        guard ratio > p.tolerance else { return nil }
        return PixelSizeMismatch(given: given, suggested: suggested, typicalAreaMicrons2: area, regions: regions,
                                 expectedAreaMicrons2: p.typicalNucleusAreaMicrons2)
    }
}

/// The pixel size given and the one the nuclei suggest.
public struct PixelSizeMismatch: Sendable, Hashable, Codable {
    public var given: Double
    public var suggested: Double
    public var typicalAreaMicrons2: Double
    public var regions: Int
    public var expectedAreaMicrons2: Double

    /// One line for stderr and report.json.
    public var message: String {
        String(format: "pixel size %.3g µm/px contradicts the tissue: its %d nuclei measure %.0f µm² (geometric mean) where about %.0f is typical; the nuclei suggest %.2g µm/px (check --mpp)",
               given, regions, typicalAreaMicrons2, expectedAreaMicrons2, suggested)
    }
}
