/// The outlines of a tile's measured cells — cell and nucleus polygons on pixel edges of the
/// analysis scale — traced once, from the label images already in memory, for whatever draws
/// cells (the GeoJSON features).
///
/// Tracing is done label by label with one `ContourTracer.Scratch`, so the work memory is
/// allocated once per tile; only the polygons themselves are kept.
public struct CellOutlines: Sendable {
    /// A cell's polygons: its territory (one or more pieces) and its nucleus (possibly none).
    public struct Cell: Sendable, Equatable {
        public var cell: [PixelPolygon]
        public var nucleus: [PixelPolygon]
    }

    /// Per cell (in the order given): its polygons, or nil when its label or outline cannot be
    /// found (should not happen).
    public let cells: [Cell?]
    /// The analysis scale's reduction: polygon points times `scale` are tile pixels.
    public let scale: Double

    public init(cells measured: [CellMeasurement], analysis: TileAnalysis) {
        let labels = CellLabels.labels(of: measured, in: analysis)
        scale = Double(max(1, analysis.reduction))
        guard labels.contains(where: { $0 != nil }) else {
            cells = labels.map { _ in nil }
            return
        }
        let cellOutlines = ContourTracer.Outlines(analysis.cellLabels)
        let nucleusOutlines = ContourTracer.Outlines(analysis.nucleusLabels)
        let scratch = ContourTracer.Scratch()
        cells = labels.map { label in
            guard let label else { return nil }
            let outline = cellOutlines.polygons(of: label, scratch: scratch)
            guard !outline.isEmpty else { return nil }
            return Cell(cell: outline, nucleus: nucleusOutlines.polygons(of: label, scratch: scratch))
        }
    }

    /// The polygons of the `index`-th cell.
    public subscript(index: Int) -> Cell? { cells[index] }
}
