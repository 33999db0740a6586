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
///
/// The text is formatted straight into a `TextBuffer` (numbers as `%.Nf` and `%d` spell them);
/// the fixed parts of a feature are spelled once.
public enum GeoJSONWriter {
    /// The classification name of a cell.
    public static func className(_ cell: CellMeasurement) -> String {
        cell.kind == .tumour ? cell.cellClass.label : "Excluded"
    }

    /// The FeatureCollection of `cells` (the tile's measured cells, in order) of `slide`.
    /// Cells whose outline cannot be found (should not happen) are left out.
    public static func featureCollection(slide: String, cells: [CellMeasurement], analysis: TileAnalysis) -> String {
        let out = TextBuffer()
        append(slide: slide, cells: cells, analysis: analysis, to: out)
        return out.string
    }

    /// Appends the FeatureCollection (`featureCollection`) to `out`.
    public static func append(slide: String, cells: [CellMeasurement], analysis: TileAnalysis, to out: TextBuffer) {
        append(slide: slide, cells: cells, outlines: CellOutlines(cells: cells, analysis: analysis), to: out)
    }

    /// Writes the FeatureCollection of `cells` to `path` atomically, through a 256 KiB buffer.
    /// With a `meter`, tracing the outlines is timed as `outlines`, the text and its writing as
    /// `geojson`, closing and renaming the file as `geojson-write`.
    public static func write(slide: String, cells: [CellMeasurement], analysis: TileAnalysis, to path: String,
                             meter: BatchMeter? = nil) throws {
        let outlines = meter.measure("outlines") { CellOutlines(cells: cells, analysis: analysis) }
        let file = try AtomicStream(path: path)
        let out = TextBuffer(capacity: 320 << 10)
        try meter.measure("geojson") {
            try append(slide: slide, cells: cells, outlines: outlines, to: out, flushBytes: 256 << 10) { text in
                try text.withBytes { try file.write($0) }
            }
            try out.withBytes { try file.write($0) }
        }
        try meter.measure("geojson-write") { try file.commit() }
    }

    /// Appends the FeatureCollection of `cells` with their traced `outlines`.
    public static func append(slide: String, cells: [CellMeasurement], outlines: CellOutlines, to out: TextBuffer) {
        append(slide: slide, cells: cells, outlines: outlines, to: out, flushBytes: .max) { _ in }
    }

    /// Appends the FeatureCollection of `cells` with their traced `outlines`, handing the text
    /// over to `flush` (and emptying `out`) whenever it passes `flushBytes`: a tile's GeoJSON
    /// then streams to its file through a small buffer. What is left at the end stays in `out`.
    public static func append(slide: String, cells: [CellMeasurement], outlines: CellOutlines, to out: TextBuffer,
                              flushBytes: Int, flush: (TextBuffer) throws -> Void) rethrows {
        out.append("{\"type\":\"FeatureCollection\",\"features\":[")
        var tile: String?
        var prefix = SHA256()
        var first = true
        for (index, cell) in cells.enumerated() {
            guard let traced = outlines[index] else { continue }
            if cell.tile != tile {
                tile = cell.tile
                prefix = CellIdentifier.prefix(slide: slide, tile: cell.tile)
            }
            out.append(first ? "\n" as StaticString : ",\n")
            first = false
            appendFeature(cell: cell, index: index, prefix: prefix, outline: traced.cell, nucleus: traced.nucleus,
                          scale: outlines.scale, to: out)
            if out.count >= flushBytes {
                try flush(out)
                out.removeAll()
            }
        }
        if !first { out.append(byte: 10) }
        out.append("]}\n")
    }

    /// The JSON spellings of the class names (`0`, `1+`, `2+`, `3+`, then `Excluded`).
    static let classNames: [[UInt8]] = (HER2Score.allCases.map(\.label) + ["Excluded"]).map { Array(JSONText.string($0).utf8) }

    /// The JSON spellings of the measurement keys, each with its colon.
    static let keys: [[UInt8]] = [
        "HER2 class", "Centroid X px", "Centroid Y px", "Membrane: DAB intensity", "Membrane: completeness",
        "Membrane: longest arc", "Membrane: DAB OD mean", "Membrane: DAB OD p90", "Membrane: width µm",
        "Cytoplasm: DAB OD mean", "Nucleus: Area µm^2", "Cell: Area µm^2",
    ].map { Array((JSONText.string($0) + ":").utf8) }

    static func appendFeature(cell c: CellMeasurement, index: Int, prefix: SHA256, outline: [PixelPolygon], nucleus: [PixelPolygon],
                              scale: Double, to out: TextBuffer) {
        let colour = Overlay.colour(c.kind == .tumour ? c.cellClass : nil)
        out.append("{\"type\":\"Feature\",\"id\":\"")
        CellIdentifier.append(index: index, after: prefix, to: out)
        out.append("\",\"geometry\":")
        appendGeometry(outline, scale: scale, to: out)
        if !nucleus.isEmpty {
            out.append(",\"nucleusGeometry\":")
            appendGeometry(nucleus, scale: scale, to: out)
        }
        out.append(",\"properties\":{\"objectType\":\"cell\",\"classification\":{\"name\":")
        out.append(classNames[c.kind == .tumour ? c.cellClass.rawValue : 4])
        out.append(",\"color\":[")
        out.append(int: Int(colour.0)); out.append(byte: UInt8(ascii: ","))
        out.append(int: Int(colour.1)); out.append(byte: UInt8(ascii: ","))
        out.append(int: Int(colour.2))
        out.append("]},\"isLocked\":false,\"measurements\":{")
        out.append(keys[0]); out.append(int: c.kind == .tumour ? c.cellClass.rawValue : 0)
        // A measurement that is not a number is written 0 (JSON has no NaN). Keys and values
        // are at most 40 + 24 bytes each (values below 10¹², every real measurement): one
        // reservation for the eleven. Larger values take the C library's long spelling.
        @inline(__always) func small(_ v: Double) -> Bool { !v.isFinite || Swift.abs(v) < 1e12 }
        guard small(c.x), small(c.y), small(c.membrane.intensity), small(c.membrane.completeness), small(c.membrane.longestArc),
              small(c.membraneMeanOD), small(c.membraneP90OD), small(c.membraneThicknessMicrons), small(c.cytoplasmOD),
              small(c.nucleusAreaMicrons2), small(c.cellAreaMicrons2) else {
            let values = [c.x, c.y, c.membrane.intensity, c.membrane.completeness, c.membrane.longestArc, c.membraneMeanOD,
                          c.membraneP90OD, c.membraneThicknessMicrons, c.cytoplasmOD, c.nucleusAreaMicrons2, c.cellAreaMicrons2]
            for (k, (value, digits)) in zip(values, [2, 2, 4, 4, 4, 4, 4, 3, 4, 2, 2]).enumerated() {
                out.append(byte: UInt8(ascii: ","))
                out.append(keys[k + 1])
                if value.isFinite { out.appendFixed(value, digits) } else { out.append(byte: UInt8(ascii: "0")) }
            }
            out.append("}}}")
            return
        }
        keys.withUnsafeBufferPointer { keys in
            out.appendUnsafe(maximum: 11 &* 72) { p in
                var n = 0
                @inline(__always) func measurement(_ k: Int, _ value: Double, _ digits: Int) {
                    p[n] = UInt8(ascii: ","); n &+= 1
                    keys[k].withUnsafeBufferPointer { key in
                        (p + n).update(from: key.baseAddress!, count: key.count)
                        n &+= key.count
                    }
                    if value.isFinite {
                        n &+= TextBuffer.write(fixed: value, digits: digits, to: p + n)
                    } else {
                        p[n] = UInt8(ascii: "0"); n &+= 1
                    }
                }
                measurement(1, c.x, 2)
                measurement(2, c.y, 2)
                measurement(3, c.membrane.intensity, 4)
                measurement(4, c.membrane.completeness, 4)
                measurement(5, c.membrane.longestArc, 4)
                measurement(6, c.membraneMeanOD, 4)
                measurement(7, c.membraneP90OD, 4)
                measurement(8, c.membraneThicknessMicrons, 3)
                measurement(9, c.cytoplasmOD, 4)
                measurement(10, c.nucleusAreaMicrons2, 2)
                measurement(11, c.cellAreaMicrons2, 2)
                return n
            }
        }
        out.append("}}}")
    }

    /// A Polygon, or a MultiPolygon for a label in several pieces, its points multiplied by `scale`.
    static func appendGeometry(_ polygons: [PixelPolygon], scale: Double, to out: TextBuffer) {
        func ring(_ points: [SIMD2<Double>]) {
            // Each point is at most "[" + 24 + "," + 24 + "]" + ",": one reservation for the ring.
            out.appendUnsafe(maximum: 2 &+ points.count &* 52) { p in
                var n = 0
                p[n] = UInt8(ascii: "["); n &+= 1
                for (k, point) in points.enumerated() {
                    if k > 0 { p[n] = UInt8(ascii: ","); n &+= 1 }
                    p[n] = UInt8(ascii: "["); n &+= 1
                    n &+= writeNumber(point.x * scale, to: p + n)
                    p[n] = UInt8(ascii: ","); n &+= 1
                    n &+= writeNumber(point.y * scale, to: p + n)
                    p[n] = UInt8(ascii: "]"); n &+= 1
                }
                p[n] = UInt8(ascii: "]"); n &+= 1
                return n
            }
        }
        func polygon(_ p: PixelPolygon) {
            out.append(byte: UInt8(ascii: "["))
            ring(p.exterior)
            for hole in p.holes {
                out.append(byte: UInt8(ascii: ","))
                ring(hole)
            }
            out.append(byte: UInt8(ascii: "]"))
        }
        if polygons.count == 1 {
            out.append("{\"type\":\"Polygon\",\"coordinates\":")
            polygon(polygons[0])
            out.append(byte: UInt8(ascii: "}"))
            return
        }
        out.append("{\"type\":\"MultiPolygon\",\"coordinates\":[")
        for (k, p) in polygons.enumerated() {
            if k > 0 { out.append(byte: UInt8(ascii: ",")) }
            polygon(p)
        }
        out.append("]}")
    }

    /// Integers without a fraction (pixel-edge coordinates are integers), others with 3
    /// decimals; at most 24 bytes at `p`, the number written returned.
    @inline(__always) static func writeNumber(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v == v.rounded(), Swift.abs(v) < 1e15 { return TextBuffer.write(int: Int(v), to: p) }
        // Non-finite coordinates cannot occur (the outlines are traced on pixels): written empty as before.
        guard v.isFinite, Swift.abs(v) < 1e12 else { return 0 }
        return TextBuffer.write(fixed: v, digits: 3, to: p)
    }
}
