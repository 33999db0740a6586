/// A tile's cells as a GeoJSON FeatureCollection that QuPath opens over the image
/// (File › Import objects from file): one `cell` object per measured cell.
///
/// Each Feature has a deterministic UUID-formatted `id` (the `id` of `cells.csv`), the cell
/// outline as `geometry` and the nucleus outline as `nucleusGeometry` (QuPath's cell format), in
/// tile pixels with the origin at the tile's top-left corner (outlines traced on pixel edges at
/// the analysis scale and scaled back by its reduction). `properties` hold `objectType: "cell"`,
/// the `classification` — name `0`, `1+`, `2+` or `3+` for tumour cells and `Excluded` for cells
/// left out of the denominator, with the overlay colour — `isLocked: false`, and the cell's
/// `measurements` (µm, µm², log10 DAB optical density).
public enum GeoJSONWriter {
    /// The classification name of a cell.
    public static func className(_ cell: CellMeasurement) -> String {
        cell.kind == .tumour ? cell.cellClass.label : "Excluded"
    }

    /// The FeatureCollection of `cells` (the tile's measured cells, in order) of `slide`.
    /// Cells whose outline cannot be found (should not happen) are left out.
    public static func featureCollection(slide: String, cells: [CellMeasurement], analysis: TileAnalysis) -> String {
        let labels = CellLabels.labels(of: cells, in: analysis)
        let cellOutlines = ContourTracer.Outlines(analysis.cellLabels)
        let nucleusOutlines = ContourTracer.Outlines(analysis.nucleusLabels)
        let scale = Double(max(1, analysis.reduction))
        var features: [String] = []
        features.reserveCapacity(cells.count)
        for (index, cell) in cells.enumerated() {
            guard let label = labels[index] else { continue }
            let outline = cellOutlines.polygons(of: label).map { $0.scaled(by: scale) }
            guard !outline.isEmpty else { continue }
            let nucleus = nucleusOutlines.polygons(of: label).map { $0.scaled(by: scale) }
            features.append(feature(slide: slide, cell: cell, index: index, outline: outline, nucleus: nucleus))
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[" + (features.isEmpty ? "" : "\n" + features.joined(separator: ",\n") + "\n")
            + "]}\n"
    }

    static func feature(slide: String, cell c: CellMeasurement, index: Int, outline: [PixelPolygon], nucleus: [PixelPolygon]) -> String {
        let colour = Overlay.colour(c.kind == .tumour ? c.cellClass : nil)
        var out = "{\"type\":\"Feature\",\"id\":\"" + CellIdentifier.uuid(slide: slide, tile: c.tile, index: index) + "\""
        out += ",\"geometry\":" + geometry(outline)
        if !nucleus.isEmpty { out += ",\"nucleusGeometry\":" + geometry(nucleus) }
        out += ",\"properties\":{\"objectType\":\"cell\",\"classification\":{\"name\":" + JSONText.string(className(c))
        out += ",\"color\":[\(colour.0),\(colour.1),\(colour.2)]},\"isLocked\":false,\"measurements\":{"
        let f = CSVFormatting.fixed
        let measurements: [(String, String)] = [
            ("HER2 class", String(c.kind == .tumour ? c.cellClass.rawValue : 0)),
            ("Centroid X px", f(c.x, 2)), ("Centroid Y px", f(c.y, 2)),
            ("Membrane: DAB intensity", f(c.membrane.intensity, 4)),
            ("Membrane: completeness", f(c.membrane.completeness, 4)),
            ("Membrane: longest arc", f(c.membrane.longestArc, 4)),
            ("Membrane: DAB OD mean", f(c.membraneMeanOD, 4)),
            ("Membrane: DAB OD p90", f(c.membraneP90OD, 4)),
            ("Membrane: width µm", f(c.membraneThicknessMicrons, 3)),
            ("Cytoplasm: DAB OD mean", f(c.cytoplasmOD, 4)),
            ("Nucleus: Area µm^2", f(c.nucleusAreaMicrons2, 2)),
            ("Cell: Area µm^2", f(c.cellAreaMicrons2, 2)),
        ]
        out += measurements.map { JSONText.string($0.0) + ":" + ($0.1.isEmpty ? "0" : $0.1) }.joined(separator: ",")
        out += "}}}"
        return out
    }

    /// A Polygon, or a MultiPolygon for a label in several pieces.
    static func geometry(_ polygons: [PixelPolygon]) -> String {
        func ring(_ points: [SIMD2<Double>]) -> String {
            "[" + points.map { "[" + number($0.x) + "," + number($0.y) + "]" }.joined(separator: ",") + "]"
        }
        func polygon(_ p: PixelPolygon) -> String { "[" + p.rings.map(ring).joined(separator: ",") + "]" }
        if polygons.count == 1 {
            return "{\"type\":\"Polygon\",\"coordinates\":" + polygon(polygons[0]) + "}"
        }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + polygons.map(polygon).joined(separator: ",") + "]}"
    }

    /// Integers without a fraction (pixel-edge coordinates are integers), others with 3 decimals.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return CSVFormatting.fixed(v, 3)
    }
}
