import Foundation

/// The physical size of one pixel, in micrometres per pixel, and where that figure came from.
///
/// Every length the analysis uses is given in µm and converted through a `PixelSize`, so the
/// same parameters work at 20× (≈0.5 µm/px) and 40× (≈0.25 µm/px). A file that does not carry
/// a pixel size has none: the caller must supply one (`--mpp`); no default is ever assumed.
public struct PixelSize: Sendable, Hashable, Codable {
    /// Where a pixel size was read from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// TIFF XResolution/YResolution with ResolutionUnit inch or centimetre.
        case tiffResolution = "tiff-resolution"
        /// The `MPP = …` field of an Aperio ImageDescription.
        case aperioMPP = "aperio-mpp"
        /// The PNG pHYs chunk (pixels per metre).
        case pngPHYs = "png-phys"
        /// The JPEG JFIF density, in dots per inch or per centimetre.
        case jfifDensity = "jfif-density"
        /// Given by the user (`--mpp`, a manifest, a config file).
        case user
        /// Set by the virtual-slide renderer.
        case synthetic
    }

    /// Micrometres per pixel along x (columns).
    public var x: Double
    /// Micrometres per pixel along y (rows).
    public var y: Double
    public var source: Source

    /// The plausible range for bright-field microscopy scans (µm/px). Values outside it are
    /// almost always a scanner's or an editor's placeholder (72 dpi ≈ 353 µm/px).
    public static let plausibleMicroscopyRange: ClosedRange<Double> = 0.05...20

    public init(x: Double, y: Double, source: Source) {
        self.x = x
        self.y = y
        self.source = source
    }

    /// A square pixel of `micronsPerPixel` µm.
    public init(micronsPerPixel: Double, source: Source) {
        self.init(x: micronsPerPixel, y: micronsPerPixel, source: source)
    }

    /// The mean of the two axes, for isotropic conversions (µm/px).
    public var micronsPerPixel: Double { (x + y) / 2 }

    /// Whether both axes lie in `plausibleMicroscopyRange`.
    public var isPlausibleForMicroscopy: Bool {
        Self.plausibleMicroscopyRange.contains(x) && Self.plausibleMicroscopyRange.contains(y)
    }

    /// A length in µm expressed in pixels.
    public func pixels(fromMicrons microns: Double) -> Double { microns / micronsPerPixel }

    /// An area in µm² expressed in pixels.
    public func pixelArea(fromSquareMicrons area: Double) -> Double { area / (x * y) }

    /// A length in pixels expressed in µm.
    public func microns(fromPixels pixels: Double) -> Double { pixels * micronsPerPixel }

    /// An area in pixels expressed in µm².
    public func squareMicrons(fromPixels count: Double) -> Double { count * x * y }
}

extension PixelSize {
    /// Reads the `MPP = 0.2520` field of an Aperio ImageDescription (`|`-separated fields).
    public static func aperioMPP(inDescription description: String) -> Double? {
        for field in description.split(separator: "|") {
            let parts = field.split(separator: "=", maxSplits: 1)
            guard parts.count == 2,
                  parts[0].trimmingCharacters(in: .whitespaces).uppercased() == "MPP",
                  let value = Double(parts[1].trimmingCharacters(in: .whitespaces)),
                  value > 0, value.isFinite
            else { continue }
            return value
        }
        return nil
    }
}
