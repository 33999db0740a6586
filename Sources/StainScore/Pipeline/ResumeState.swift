import Foundation

/// The per-slide state a batch keeps in `OUT/.state/` so that `--resume` can skip slides whose
/// inputs and parameters have not changed.
///
/// For each slide, `OUT/.state/slides/<slide>/summary.json` (its `SlideSummary`, with the input
/// key it was scored under) and `cells.csv` (its rows of `cells.csv`, no header). Both are
/// written atomically, the summary last, so a run killed half-way leaves either the previous
/// complete state or the new one. A saved slide is reused only when its key matches, its cell
/// rows are intact (SHA-256), and every per-tile file the run asks for exists.
public struct ResumeStore: BatchResumeSource {
    /// The output folder (`--out`).
    public var outputDirectory: String
    /// Whether reused slides must have their GeoJSON files, and their overlays.
    public var requireGeoJSON: Bool
    public var requireOverlays: Bool

    public init(outputDirectory: String, requireGeoJSON: Bool, requireOverlays: Bool) {
        self.outputDirectory = outputDirectory
        self.requireGeoJSON = requireGeoJSON
        self.requireOverlays = requireOverlays
    }

    public var stateDirectory: String { outputDirectory + "/.state" }

    public func slideDirectory(_ slide: String) -> String { stateDirectory + "/slides/" + slide }
    public func summaryPath(_ slide: String) -> String { slideDirectory(slide) + "/summary.json" }
    public func cellsPath(_ slide: String) -> String { slideDirectory(slide) + "/cells.csv" }

    public func savedSlide(_ slide: SlideInput, key: String) -> SlideSummary? {
        guard let data = FileManager.default.contents(atPath: summaryPath(slide.name)),
              let summary = try? JSONDecoder().decode(SlideSummary.self, from: data),
              summary.inputKey == key, summary.slide == slide.name,
              summary.tiles.map(\.tile) == slide.tiles.map(\.name),
              let expected = summary.cellsSHA256,
              let saved = try? SHA256.file(at: cellsPath(slide.name)), saved.sha256 == expected
        else { return nil }
        for tile in summary.tiles where tile.error == nil {
            if requireGeoJSON && !exists(tile.geojson) { return nil }
            if requireOverlays && !exists(tile.overlay) { return nil }
        }
        return summary
    }

    /// Saves a freshly scored slide's summary (its cell rows must already be in `cellsPath`).
    public func save(_ summary: SlideSummary) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(summary)), to: summaryPath(summary.slide))
    }

    private func exists(_ relative: String?) -> Bool {
        guard let relative else { return false }
        return FileManager.default.fileExists(atPath: outputDirectory + "/" + relative)
    }
}
