import Foundation

/// One tile of a slide: the file, the name it has in the outputs, and what applies to it alone.
public struct TileInput: Sendable, Hashable, Codable {
    /// The image file.
    public var path: String
    /// The tile's name in results (`cells.csv`'s `tile`): its path relative to the slide's
    /// folder (the file name for flat folders and single files).
    public var name: String
    /// A pixel size for this tile alone (a manifest's `mpp`), used like the slide's.
    public var pixelSize: PixelSize?
    /// The region-of-interest file (mask or GeoJSON) restricting scoring, if any.
    public var regionOfInterest: String?
    /// Why the region of interest could not be determined (the tile is then not scored).
    public var regionOfInterestProblem: String?

    public init(path: String, name: String? = nil, pixelSize: PixelSize? = nil, regionOfInterest: String? = nil,
                regionOfInterestProblem: String? = nil) {
        self.path = path
        self.name = name ?? URL(fileURLWithPath: path).lastPathComponent
        self.pixelSize = pixelSize
        self.regionOfInterest = regionOfInterest
        self.regionOfInterestProblem = regionOfInterestProblem
    }
}

/// A slide to score: its name and its tiles.
public struct SlideInput: Sendable, Hashable {
    public var name: String
    public var tiles: [TileInput]
    /// Pixel size to use when a file does not carry one (or to override it).
    public var pixelSize: PixelSize?
    /// Use the given pixel size even when the files carry their own.
    public var overridePixelSize: Bool

    public init(name: String, tiles: [TileInput], pixelSize: PixelSize? = nil, overridePixelSize: Bool = false) {
        self.name = name
        self.tiles = tiles
        self.pixelSize = pixelSize
        self.overridePixelSize = overridePixelSize
    }

    /// Tiles named after their files, without regions of interest.
    public init(name: String, tilePaths: [String], pixelSize: PixelSize? = nil, overridePixelSize: Bool = false) {
        self.init(name: name, tiles: tilePaths.map { TileInput(path: $0) }, pixelSize: pixelSize,
                  overridePixelSize: overridePixelSize)
    }

    /// The tiles' files, in order.
    public var tilePaths: [String] { tiles.map(\.path) }

    /// A folder of tiles is one slide named after the folder (images found recursively; masks
    /// and regions of interest beside the tiles are picked up).
    public static func folder(_ path: String, pixelSize: PixelSize? = nil) -> SlideInput {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let name = URL(fileURLWithPath: trimmed).lastPathComponent
        return SlideInput(name: name, tiles: SlideDiscovery.tiles(inFolder: trimmed), pixelSize: pixelSize)
    }

    /// The pixel size a tile is analysed at: the user's (tile, then slide) when overriding or when
    /// the file has none, else the file's; nil when nobody knows it.
    public func pixelSize(for tile: TileInput, fileCarries fromFile: PixelSize?) -> PixelSize? {
        let given = tile.pixelSize ?? pixelSize
        return overridePixelSize ? (given ?? fromFile) : (fromFile ?? given)
    }
}
