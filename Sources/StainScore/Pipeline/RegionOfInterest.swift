import Foundation

/// Where a tile's region of interest came from, recorded with its results.
public struct RegionOfInterestSource: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A binary mask image beside the tile (non-zero = inside).
        case mask
        /// A QuPath GeoJSON annotation file beside the tile.
        case geojson
    }

    /// The file read.
    public var path: String
    public var kind: Kind
    /// Tile pixels inside the region (nil until it has been read).
    public var insidePixels: Int?
    /// Size in bytes and SHA-256 of the file (batch runs, for provenance).
    public var bytes: Int?
    public var sha256: String?

    public init(path: String, kind: Kind, insidePixels: Int? = nil) {
        self.path = path
        self.kind = kind
        self.insidePixels = insidePixels
    }
}

/// The part of a tile to score — the annotated invasive tumour — as a mask at the tile's
/// resolution. Cells count only when their nucleus centre lies inside it, and the tissue area
/// counts only tissue pixels inside it; the analysis itself still sees the whole tile, so cells
/// on the region's edge are segmented and measured with their neighbours in place.
public struct RegionOfInterest: Sendable {
    /// 1 inside, 0 outside; the tile's size.
    public var mask: Plane<UInt8>
    public var source: RegionOfInterestSource

    public init(mask: Plane<UInt8>, source: RegionOfInterestSource) {
        self.mask = mask
        self.source = source
        var inside = 0
        for v in mask.values where v != 0 { inside += 1 }
        self.source.insidePixels = inside
    }

    /// Reads a mask image or a GeoJSON file for a `width × height` tile.
    public static func load(_ path: String, width: Int, height: Int, reader: ImageReader) throws -> RegionOfInterest {
        if RegionOfInterestFiles.isGeoJSON(path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InputError(path: path, message: "cannot read the region-of-interest file")
            }
            let polygons = try GeoJSONPolygons.read(data, path: path)
            return RegionOfInterest(mask: PolygonRasterizer.fill(polygons, width: width, height: height),
                                    source: RegionOfInterestSource(path: path, kind: .geojson))
        }
        let image = try reader.read(path)
        guard image.width == width, image.height == height else {
            throw InputError(path: path, message: "region-of-interest mask is \(image.width)×\(image.height) but its tile is \(width)×\(height)")
        }
        var mask = Plane<UInt8>(width: width, height: height, repeating: 0)
        image.pixels.withUnsafeBufferPointer { px in
            mask.values.withUnsafeMutableBufferPointer { m in
                for i in 0..<(width &* height) {
                    m[i] = (px[3 &* i] | px[3 &* i &+ 1] | px[3 &* i &+ 2]) != 0 ? 1 : 0
                }
            }
        }
        return RegionOfInterest(mask: mask, source: RegionOfInterestSource(path: path, kind: .mask))
    }

    /// Whether a point in tile-pixel coordinates (pixel centres at integers, as cells' `x`, `y`)
    /// lies in the region: the pixel containing it is inside.
    public func contains(x: Double, y: Double) -> Bool {
        let px = Int((x + 0.5).rounded(.down)), py = Int((y + 0.5).rounded(.down))
        guard px >= 0, py >= 0, px < mask.width, py < mask.height else { return false }
        return mask[px, py] != 0
    }

    /// Measurable-tissue area inside the region, mm²: tile pixels inside whose analysis pixel is
    /// tissue (code 1), each counted at the tile's pixel area (the analysis may run on a
    /// `reduction`× smaller image, whose partial last row and column are not analysed).
    public func tissueAreaMM2(_ analysis: TileAnalysis, tilePixelSize: PixelSize) -> Double {
        let r = max(1, analysis.reduction)
        let tissue = analysis.tissue
        guard tissue.width > 0 else { return 0 }
        var count = 0
        let w = min(mask.width, tissue.width * r), h = min(mask.height, tissue.height * r)
        mask.values.withUnsafeBufferPointer { m in
            tissue.values.withUnsafeBufferPointer { t in
                for y in 0..<h {
                    let mrow = y &* mask.width, trow = (y / r) &* tissue.width
                    for x in 0..<w where m[mrow &+ x] != 0 && t[trow &+ x / r] == 1 { count &+= 1 }
                }
            }
        }
        let mpp = tilePixelSize.micronsPerPixel
        return Double(count) * mpp * mpp / 1e6
    }
}

/// The files that give a tile its region of interest, found beside it by name.
///
/// For a tile `DIR/T.ext`: a mask `DIR/T.mask.E`, `DIR/T-mask.E` or `DIR/T_mask.E` (E one of
/// png, tif, tiff, jpg, jpeg; PNG or TIFF recommended — JPEG noise turns "non-zero" fuzzy), or a
/// GeoJSON annotation file `DIR/T.geojson`. More than one is an error for that tile. Files named
/// like masks are never taken for tiles.
public enum RegionOfInterestFiles {
    public static let maskMarkers = [".mask", "-mask", "_mask"]
    public static let maskExtensions = ["png", "tif", "tiff", "jpg", "jpeg"]

    /// Whether a file name is a region-of-interest mask (its stem ends in a mask marker).
    public static func isMask(fileName: String) -> Bool {
        guard let dot = fileName.lastIndex(of: ".") else { return false }
        let ext = fileName[fileName.index(after: dot)...].lowercased()
        guard maskExtensions.contains(ext) else { return false }
        let stem = fileName[..<dot].lowercased()
        return maskMarkers.contains { stem.hasSuffix($0) && stem.count > $0.count }
    }

    static func isGeoJSON(_ path: String) -> Bool { path.lowercased().hasSuffix(".geojson") }

    /// Candidate file names for a tile file name, in the documented order.
    public static func candidateNames(forTile fileName: String) -> [String] {
        let stem = fileName.lastIndex(of: ".").map { String(fileName[..<$0]) } ?? fileName
        var names: [String] = []
        for marker in maskMarkers {
            for ext in maskExtensions { names.append(stem + marker + "." + ext) }
        }
        names.append(stem + ".geojson")
        return names
    }

    /// The region-of-interest file of the tile at `path`, if any. `siblings` (names in the tile's
    /// folder) avoids a stat per candidate when the caller has listed the folder; names are
    /// compared exactly, then case-insensitively.
    public static func find(forTile path: String, siblings: Set<String>? = nil) throws -> String? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let fileName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let names = siblings ?? Set((try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? [])
        let lowered = Dictionary(names.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, b in min(a, b) })
        var found: [String] = []
        for candidate in candidateNames(forTile: fileName) {
            if names.contains(candidate) {
                found.append(candidate)
            } else if let actual = lowered[candidate.lowercased()], !found.contains(actual) {
                found.append(actual)
            }
        }
        guard !found.isEmpty else { return nil }
        guard found.count == 1 else {
            throw InputError(path: path, message: "several region-of-interest files (\(found.joined(separator: ", "))); keep one")
        }
        return directory + found[0]
    }
}
