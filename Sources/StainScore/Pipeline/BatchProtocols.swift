/// How far a batch has got, reported after each batch of finished work.
public struct BatchProgress: Sendable, Hashable {
    public var slidesTotal: Int
    public var slidesDone = 0
    /// Of the done slides, those whose saved results were reused (`--resume`).
    public var slidesResumed = 0
    public var tilesTotal: Int
    public var tilesDone = 0
    /// Of the done tiles, those of resumed slides (not analysed) and those that failed.
    public var tilesResumed = 0
    public var tilesFailed = 0
    /// Megapixels decoded and analysed so far (resumed tiles excluded).
    public var megapixelsAnalysed = 0.0
    public var elapsedSeconds = 0.0

    public init(slidesTotal: Int, tilesTotal: Int) {
        self.slidesTotal = slidesTotal
        self.tilesTotal = tilesTotal
    }

    /// Tiles analysed in this run (done, not resumed).
    public var tilesAnalysed: Int { tilesDone - tilesResumed }
}

/// What a batch reports while it runs, on the thread that called `BatchRunner.run`, in
/// discovery order.
public enum BatchEvent: Sendable {
    /// A tile could not be scored (its slide is scored on the others).
    case tileFailed(slide: String, tile: TileResult)
    /// A slide is complete (scored, or its saved results reused).
    case slideFinished(SlideSummary)
    case progress(BatchProgress)
}

/// Receives a batch's results in discovery order — slides in input order, tiles in path order,
/// cells in the analyser's order — on the thread that called `BatchRunner.run`.
public protocol BatchSink: AnyObject {
    /// A slide starts; `resumed` is its saved summary when it will not be analysed again (no
    /// `addTile` calls follow then).
    func beginSlide(_ slide: SlideInput, index: Int, resumed: SlideSummary?) throws
    /// The next tile of the slide being scored, with its cells.
    func addTile(_ tile: TileResult, cells: [CellMeasurement], index: Int, of slide: SlideInput) throws
    /// The slide is complete; the sink may save or write it.
    func finishSlide(_ summary: SlideSummary, of slide: SlideInput) throws
}

/// Where `--resume` finds saved slides. Called on worker threads.
public protocol BatchResumeSource: Sendable {
    /// The saved summary of `slide` when it was scored with exactly this `key` and its saved
    /// outputs are all present; nil means it must be scored.
    func savedSlide(_ slide: SlideInput, key: String) -> SlideSummary?
}

/// Per-tile files (GeoJSON, overlays), written on the worker thread that analysed the tile while
/// its analysis is still in memory.
public protocol BatchTileWriter: Sendable {
    /// Writes the tile's files; returns their paths relative to the output folder. A thrown
    /// error stops the batch (an output that cannot be written).
    func write(_ tile: AnalysedTile, index: Int, of slide: SlideInput) throws -> (geojson: String?, overlay: String?)
}

/// Totals of a finished batch.
public struct BatchTotals: Sendable, Hashable, Codable {
    public var slides = 0
    public var slidesResumed = 0
    public var tiles = 0
    public var tilesResumed = 0
    public var tilesFailed = 0
    public var tumourCells = 0
    public var cells = 0
    public var megapixelsAnalysed = 0.0
    public var wallSeconds = 0.0
    public var cpuSeconds = 0.0
    public var jobs = 1

    public init() {}
}
