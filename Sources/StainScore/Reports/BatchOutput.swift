#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The results folder of a batch (`--out`), written as slides complete:
///
/// - `slides.csv`, `tiles.csv`, `cells.csv`, `report.json` and `report.html`, each streamed into a
///   hidden temporary file (`.NAME.tmp-PID-N`) and renamed into place when the batch ends — a run
///   killed half-way leaves the previous complete files (or none), never a truncated one;
/// - `geojson/` and `overlays/` per tile (`TileFiles`, written by the workers, each atomically);
/// - `.state/`: each slide's summary and cell rows, for `--resume` (`ResumeStore`), and a lock
///   that keeps two runs from writing the same folder at once.
///
/// Opening the folder removes the temporary files a killed run left behind. Memory holds one
/// slide's summary at a time: rows go to disk as each slide finishes. Cells pass through into
/// `cells.csv` and the slide's `MembraneHistogram` (the report's chart); a resumed slide's
/// histogram is read back from its saved rows.
public final class BatchOutput: BatchSink {
    public let directory: String
    public let store: ResumeStore
    /// Temporary files of earlier, killed runs that were removed on opening.
    public let removedTemporaries: [String]
    public private(set) var problems: [ReportJSON.Problem] = []

    private let slidesFile: AtomicStream
    private let tilesFile: AtomicStream
    private let cellsFile: AtomicStream
    private let report: ReportJSON.Stream
    private let html: ReportHTML.Stream
    private var histogram = MembraneHistogram()
    /// A tile's cells.csv rows, formatted here (the memory is kept from tile to tile).
    private let rows = TextBuffer(capacity: 1 << 20)
    private var part: AtomicStream?
    private var lock: Int32 = -1
    private var scores: [String: Int] = [:]
    private var categories: [String: Int] = [:]
    private var closed = false
    /// Slides finished while `holdsSlideRows`, written by `finish`.
    private var heldSlides: [SlideSummary] = []

    /// Hold each slide's rows in slides.csv, tiles.csv and report.json until `finish`, which can
    /// then add run-wide flags (`controls-failed`) to every slide. Cells, GeoJSON and the resume
    /// state are still written as slides finish. Memory then holds every slide's summary (a
    /// few kB each), not one at a time.
    public var holdsSlideRows = false

    /// Times each output file's writing when set (`ihc-score bench score`).
    public var meter: BatchMeter?

    /// Creates (if needed) and locks `directory`, removes stale temporary files, and opens the
    /// output streams. Errors are `ImageIOError`s of kind `.cannotWrite`.
    public init(directory: String, header: ReportJSON.Header, geojson: Bool, overlays: Bool) throws {
        self.directory = directory
        store = ResumeStore(outputDirectory: directory, requireGeoJSON: geojson, requireOverlays: overlays)
        for folder in [directory, store.stateDirectory + "/slides"] {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw ImageIOError(.cannotWrite, path: folder, message: "cannot create the output folder: \(Self.reason(error))")
            }
        }
        let lockPath = store.stateDirectory + "/lock"
        lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw ImageIOError(.cannotWrite, path: lockPath, message: "cannot create: \(FileBytes.systemMessage())") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw ImageIOError(.cannotWrite, path: directory, message: "another ihc-score run is writing into this folder")
        }
        // Only the folders this tool writes: --out may hold other things.
        var removed = AtomicFile.removeStaleTemporaries(in: directory, recursive: false)
        for folder in [".state", "geojson", "overlays"] {
            removed += AtomicFile.removeStaleTemporaries(in: directory + "/" + folder, recursive: true)
        }
        removedTemporaries = removed
        do {
            slidesFile = try AtomicStream(path: directory + "/slides.csv")
            tilesFile = try AtomicStream(path: directory + "/tiles.csv")
            cellsFile = try AtomicStream(path: directory + "/cells.csv")
            report = try ReportJSON.Stream(path: directory + "/report.json", header: header)
            html = try ReportHTML.Stream(path: directory + "/report.html", header: header)
            try slidesFile.write(SlidesCSV.header + "\n")
            try tilesFile.write(TilesCSV.header + "\n")
            try cellsFile.write(CellsCSV.header + "\n")
        } catch {
            flock(lock, LOCK_UN)
            close(lock)
            throw error
        }
    }

    deinit { abandon() }

    /// Records an input that gave no slide (listed in `report.json`'s errors).
    public func record(_ problem: ReportJSON.Problem) { problems.append(problem) }

    public func beginSlide(_ slide: SlideInput, index: Int, resumed: SlideSummary?) throws {
        part?.abandon()
        part = nil
        histogram = MembraneHistogram()
        guard resumed == nil else { return }
        let lap = BatchMeter.Lap()
        defer { meter?.add("resume state", since: lap) }
        let folder = store.slideDirectory(slide.name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ImageIOError(.cannotWrite, path: folder, message: "cannot create folder: \(Self.reason(error))")
        }
        part = try AtomicStream(path: store.cellsPath(slide.name), hashing: true)
    }

    public func addTile(_ tile: TileResult, cells: [CellMeasurement], index: Int, of slide: SlideInput) throws {
        guard !cells.isEmpty else { return }
        try meter.measure("cells.csv") {
            rows.removeAll()
            CellsCSV.appendRows(slide: slide.name, cells: cells, to: rows)
            try rows.withBytes { bytes in
                try cellsFile.write(bytes)
                try part?.write(bytes)
            }
        }
        meter.measure("report.html") { for cell in cells { histogram.add(cell) } }
    }

    public func finishSlide(_ summary: SlideSummary, of slide: SlideInput) throws {
        var summary = summary
        if summary.resumed {
            try cellsFile.append(contentsOf: store.cellsPath(slide.name))
            histogram = try MembraneHistogram(cellsCSV: store.cellsPath(slide.name))
        } else if let part {
            let lap = BatchMeter.Lap()
            summary.cellsSHA256 = part.sha256
            try part.commit()
            self.part = nil
            var saved = summary
            saved.resumed = false
            try store.save(saved)
            // Per-tile files of an earlier scoring of this slide that this one did not write
            // (tiles removed, or --overlays / GeoJSON not asked for now) no longer match it.
            let written = Set(summary.tiles.flatMap { [$0.geojson, $0.overlay] }.compactMap { $0 })
            removeStaleTileFiles(of: summary.slide, keeping: written)
            meter?.add("resume state", since: lap)
        }
        if holdsSlideRows {
            heldSlides.append(summary)
        } else {
            try emit(summary)
        }
    }

    /// Writes a finished slide's rows in slides.csv, tiles.csv and report.json.
    private func emit(_ summary: SlideSummary) throws {
        try meter.measure("slides.csv") { try slidesFile.write(SlidesCSV.row(summary) + "\n") }
        try meter.measure("tiles.csv") {
            var rows = ""
            for tile in summary.tiles {
                rows += TilesCSV.row(slide: summary.slide, tile: tile) + "\n"
                if let error = tile.error { problems.append(ReportJSON.Problem(path: tile.path, slide: summary.slide, tile: tile.tile, message: error)) }
            }
            try tilesFile.write(rows)
        }
        try meter.measure("report.json") { try report.append(summary) }
        let directory = self.directory
        try meter.measure("report.html") {
            try html.append(summary, histogram: histogram) { FileManager.default.fileExists(atPath: directory + "/" + $0) }
        }
        scores[summary.score.reportedScore?.label ?? "unscored", default: 0] += 1
        categories[summary.score.reportedCategory?.rawValue ?? "unscored", default: 0] += 1
    }

    /// Completes `report.json` and renames every file into place. `runFlags` are added to the
    /// flags of every slide whose rows were held (`holdsSlideRows`).
    public func finish(_ totals: BatchTotals, runFlags: [String] = []) throws {
        for var summary in heldSlides {
            summary.flags += runFlags.filter { !summary.flags.contains($0) }
            try emit(summary)
        }
        heldSlides = []
        let analysed = totals.tiles - totals.tilesResumed
        let footer = ReportJSON.Footer(
            finishedAt: ReportJSON.timestamp(Date()),
            summary: .init(slides: totals.slides, slidesScored: totals.slides - totals.slidesResumed, slidesResumed: totals.slidesResumed,
                           tiles: totals.tiles, tilesFailed: totals.tilesFailed, tumourCells: totals.tumourCells, cells: totals.cells,
                           scores: scores, categories: categories),
            errors: problems,
            timings: .init(wallSeconds: totals.wallSeconds, cpuSeconds: totals.cpuSeconds, jobs: totals.jobs, tilesAnalysed: analysed,
                           tilesPerSecond: totals.wallSeconds > 0 ? Double(analysed) / totals.wallSeconds : 0,
                           megapixelsPerSecond: totals.wallSeconds > 0 ? totals.megapixelsAnalysed / totals.wallSeconds : 0,
                           peakResidentBytes: ProcessMetrics.now().peakResidentBytes))
        try cellsFile.commit()
        try tilesFile.commit()
        try slidesFile.commit()
        try report.finish(footer)
        try html.finish(footer)
        closed = true
        unlock()
    }

    /// Leaves the previous files in place and removes this run's temporary files.
    public func abandon() {
        guard !closed else { return }
        closed = true
        part?.abandon()
        slidesFile.abandon()
        tilesFile.abandon()
        cellsFile.abandon()
        report.abandon()
        html.abandon()
        unlock()
    }

    private func removeStaleTileFiles(of slide: String, keeping written: Set<String>) {
        for (folder, ext) in [("geojson", ".geojson"), ("overlays", ".png")] {
            let root = folder + "/" + slide
            guard let walker = FileManager.default.enumerator(atPath: directory + "/" + root) else { continue }
            while let name = walker.nextObject() as? String {
                let relative = root + "/" + name
                if name.hasSuffix(ext), !written.contains(relative) { unlink(directory + "/" + relative) }
            }
        }
    }

    private func unlock() {
        guard lock >= 0 else { return }
        flock(lock, LOCK_UN)
        close(lock)
        lock = -1
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
