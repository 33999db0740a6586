import Foundation

/// One input file's identity: size and SHA-256 of its content (or why it could not be read).
public struct FileFingerprint: Sendable, Hashable, Codable {
    public var path: String
    public var bytes: Int?
    public var sha256: String?
    public var error: String?

    /// Hashes the file at `path`.
    public static func of(_ path: String) -> FileFingerprint {
        do {
            let (bytes, digest) = try SHA256.file(at: path)
            return FileFingerprint(path: path, bytes: bytes, sha256: digest, error: nil)
        } catch let error as ImageIOError {
            return FileFingerprint(path: path, bytes: nil, sha256: nil, error: error.message)
        } catch {
            return FileFingerprint(path: path, bytes: nil, sha256: nil, error: "\(error)")
        }
    }
}

/// What a slide's results depend on, hashed into one key: the content (SHA-256) of every tile
/// and region-of-interest file, the tiles' names, the pixel sizes given by the user, every
/// analysis parameter (canonical JSON) and the tool version. `--resume` reuses a slide's saved
/// results only when its key is unchanged; paths are not part of it, so a moved folder resumes.
public struct SlideFingerprint: Sendable, Hashable {
    public var key: String
    public var tiles: [FileFingerprint]
    /// The region-of-interest file of each tile (nil when it has none).
    public var regionsOfInterest: [FileFingerprint?]

    /// SHA-256 of the parameters' canonical JSON (sorted keys), shared by every slide of a run.
    public static func parametersDigest(_ parameters: AnalysisParameters) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return SHA256.hex(of: (try? encoder.encode(parameters)).map { Array($0) } ?? [])
    }

    /// Hashes the slide's files (reading each once).
    public static func compute(_ slide: SlideInput, parametersDigest: String) -> SlideFingerprint {
        let tiles = slide.tiles.map { FileFingerprint.of($0.path) }
        let rois = slide.tiles.map { $0.regionOfInterest.map(FileFingerprint.of) }
        struct Material: Encodable {
            struct Tile: Encodable {
                var name: String
                var sha256: String?
                var error: String?
                var mpp: PixelSize?
                var roiName: String?
                var roiSHA256: String?
                var roiProblem: String?
            }
            var tool = "ihc-score"
            var version = StainScoreVersion.version
            var parameters: String
            var slide: String
            var mpp: PixelSize?
            var overrideMpp: Bool
            var tiles: [Tile]
        }
        let material = Material(
            parameters: parametersDigest, slide: slide.name, mpp: slide.pixelSize, overrideMpp: slide.overridePixelSize,
            tiles: zip(slide.tiles, zip(tiles, rois)).map { tile, files in
                Material.Tile(name: tile.name, sha256: files.0.sha256, error: files.0.error, mpp: tile.pixelSize,
                              roiName: tile.regionOfInterest.map { URL(fileURLWithPath: $0).lastPathComponent },
                              roiSHA256: files.1?.sha256 ?? files.1?.error, roiProblem: tile.regionOfInterestProblem)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let key = SHA256.hex(of: (try? encoder.encode(material)).map { Array($0) } ?? [])
        return SlideFingerprint(key: key, tiles: tiles, regionsOfInterest: rois)
    }
}
