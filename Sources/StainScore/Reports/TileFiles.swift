#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a batch's per-tile files while the tile's analysis is in memory (on the worker that
/// analysed it): `geojson/<slide>/<tile>.geojson` (QuPath cell detections) and, when asked,
/// `overlays/<slide>/<tile>.png` (cells outlined in their class colour). `<tile>` is the tile's
/// name without its extension (sub-folders of a slide kept). Every file is written atomically.
public struct TileFiles: BatchTileWriter {
    public var outputDirectory: String
    public var geojson: Bool
    public var overlays: Bool
    /// Times the outlines, the GeoJSON text and its file when set (`ihc-score bench score`).
    public var meter: BatchMeter?

    public init(outputDirectory: String, geojson: Bool, overlays: Bool) {
        self.outputDirectory = outputDirectory
        self.geojson = geojson
        self.overlays = overlays
    }

    /// `folder/<slide>/<tile stem>.ext`, relative to the output folder.
    public static func relativePath(folder: String, slide: String, tile: String, extension ext: String) -> String {
        let stem = tile.lastIndex(of: ".").map { String(tile[..<$0]) } ?? tile
        return folder + "/" + slide + "/" + stem + "." + ext
    }

    public func write(_ tile: AnalysedTile, index: Int, of slide: SlideInput) throws -> (geojson: String?, overlay: String?) {
        guard let analysis = tile.analysis else { return (nil, nil) }
        var written: (geojson: String?, overlay: String?) = (nil, nil)
        if geojson {
            let relative = Self.relativePath(folder: "geojson", slide: slide.name, tile: tile.result.tile, extension: "geojson")
            let path = outputDirectory + "/" + relative
            try makeParent(of: path)
            try GeoJSONWriter.write(slide: slide.name, cells: tile.cells, analysis: analysis, to: path, meter: meter)
            written.geojson = relative
        }
        if overlays, analysis.analysedImage.pixelCount > 0 {
            let relative = Self.relativePath(folder: "overlays", slide: slide.name, tile: tile.result.tile, extension: "png")
            let path = outputDirectory + "/" + relative
            try makeParent(of: path)
            var counted: Set<Int32>?
            if tile.regionOfInterest != nil { counted = Set(CellLabels.labels(of: tile.cells, in: analysis).compactMap { $0 }) }
            let image = Overlay.render(analysis, regionOfInterest: tile.regionOfInterest, counted: counted)
            try ImageWriter.writePNG(image, to: path)
            written.overlay = relative
        }
        return written
    }

    /// Creates the folder `path` goes in, unless it exists (one `stat` per tile in the usual case).
    func makeParent(of path: String) throws {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return }
        let parent = String(path[..<slash])
        var info = stat()
        if stat(parent, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            // Another worker may have created it at the same moment.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ImageIOError(.cannotWrite, path: parent, message: "cannot create folder: \(error.localizedDescription)")
            }
        }
    }
}
