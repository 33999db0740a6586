/// Finds the size of a tile image under a slides folder, for the border rule when the
/// predictions do not carry tile sizes (results folders, scorer output without tiles).
///
/// Tried in order: `DIR/<slide>/<tile>`, `DIR/<slide-without-extension>/<tile>`, `DIR/<tile>`
/// and, when the tile is the slide itself, `DIR/<slide>`. Only the image header is read.
public struct TileExtentLookup: Sendable {
    public var slidesDirectory: String
    public var reader = ImageReader()

    public init(slidesDirectory: String) {
        self.slidesDirectory = slidesDirectory
    }

    public func extent(slide: String, tile: String) -> TileExtent? {
        let base = slidesDirectory.hasSuffix("/") ? slidesDirectory : slidesDirectory + "/"
        var candidates = [base + slide + "/" + tile, base + SlideNameMatching.key(slide) + "/" + tile, base + tile]
        if SlideNameMatching.key(tile) == SlideNameMatching.key(slide) { candidates.append(base + slide) }
        for path in candidates {
            if let info = try? reader.info(of: path) {
                return TileExtent(width: info.width, height: info.height, mpp: info.pixelSize?.micronsPerPixel)
            }
        }
        return nil
    }
}
