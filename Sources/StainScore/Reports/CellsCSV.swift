/// `cells.csv`: one row per measured cell, in slide, tile and analyser order.
///
/// | column | meaning |
/// |---|---|
/// | `slide`, `tile` | the slide and the tile (path relative to the slide folder) |
/// | `x`, `y` | nucleus centre, tile pixels (pixel centres at integers) |
/// | `kind` | `tumour` (counted and classified) or `excluded` (lymphocyte, stromal, debris) |
/// | `class` | 0–3 (0 for excluded cells) |
/// | `intensity` | mean log10 DAB OD of the stained part of the membrane |
/// | `completeness` | stained fraction of the circumference, 0–1 |
/// | `longest_arc` | longest contiguous stained arc, fraction of the circumference |
/// | `membrane_mean_od`, `membrane_p90_od` | DAB OD over the whole membrane band: mean, 90th percentile |
/// | `membrane_width_um` | width of the stained band, µm |
/// | `cytoplasm_od` | mean DAB OD of the cytoplasm |
/// | `nucleus_area_um2`, `cell_area_um2` | areas, µm² |
/// | `excluded_as` | why an excluded cell is not a tumour cell: `debris`, `spindle`, `lymphocyte` (empty for tumour cells) |
/// | `nucleus_h_mean_od`, `nucleus_h_sd_od` | hematoxylin OD over the nucleus: mean, standard deviation (texture) |
/// | `nucleus_contrast_od` | mean hematoxylin OD above the local background |
/// | `nucleus_elongation`, `nucleus_minor_axis_um` | √(λ₁/λ₂) of the second moments (≈ length/width); short-axis width, µm |
/// | `neighbours_25um`, `nearest_neighbour_um` | other nuclei within 25 µm; distance to the nearest, µm |
/// | `id` | the cell's identifier, also its GeoJSON feature's `id` |
public enum CellsCSV {
    public static let columns = ["slide", "tile", "x", "y", "kind", "class", "intensity", "completeness", "longest_arc",
                                 "membrane_mean_od", "membrane_p90_od", "membrane_width_um", "cytoplasm_od",
                                 "nucleus_area_um2", "cell_area_um2", "excluded_as", "nucleus_h_mean_od", "nucleus_h_sd_od",
                                 "nucleus_contrast_od", "nucleus_elongation", "nucleus_minor_axis_um", "neighbours_25um",
                                 "nearest_neighbour_um", "id"]
    public static var header: String { columns.joined(separator: ",") }

    /// The row of the `index`-th cell of its tile (no line end).
    public static func row(slide: String, cell c: CellMeasurement, index: Int) -> String {
        let out = TextBuffer(capacity: 256)
        var rows = Rows(slide: slide)
        rows.append(c, index: index, to: out)
        return String(out.string.dropLast())
    }

    /// Appends the rows (each with its line end) of `cells`, a tile's cells in order, to `out`.
    public static func appendRows(slide: String, cells: [CellMeasurement], to out: TextBuffer) {
        var rows = Rows(slide: slide)
        for (index, cell) in cells.enumerated() { rows.append(cell, index: index, to: out) }
    }

    /// What the rows of one slide share — its spelled name, and per tile the spelled tile field
    /// and the identifier hash prefix — made once per tile rather than once per cell.
    struct Rows {
        let slide: String
        let slideField: TextBuffer
        var tile: String?
        var tileField = TextBuffer(capacity: 128)
        var prefix = SHA256()

        init(slide: String) {
            self.slide = slide
            slideField = TextBuffer(capacity: 128)
            CSVFormatting.appendField(slide, to: slideField)
        }

        /// Appends the row of the `index`-th cell of its tile, with its line end.
        mutating func append(_ c: CellMeasurement, index: Int, to out: TextBuffer) {
            if c.tile != tile {
                tile = c.tile
                tileField.removeAll()
                CSVFormatting.appendField(c.tile, to: tileField)
                prefix = CellIdentifier.prefix(slide: slide, tile: c.tile)
            }
            // Every field but the names and the exclusion is at most 24 bytes — but a value of 10¹²
            // or more, spelled by the C library in up to 330: one reservation for the row.
            let exclusion = c.exclusion?.rawValue
            @inline(__always) func huge(_ v: Double) -> Int { v.isFinite && Swift.abs(v) >= 1e12 ? 340 : 0 }
            let hugeBytes = huge(c.x) &+ huge(c.y) &+ huge(c.membrane.intensity) &+ huge(c.membrane.completeness)
                &+ huge(c.membrane.longestArc) &+ huge(c.membraneMeanOD) &+ huge(c.membraneP90OD) &+ huge(c.membraneThicknessMicrons)
                &+ huge(c.cytoplasmOD) &+ huge(c.nucleusAreaMicrons2) &+ huge(c.cellAreaMicrons2) &+ huge(c.nucleus.hematoxylinMeanOD)
                &+ huge(c.nucleus.hematoxylinSD) &+ huge(c.nucleus.contrastOD) &+ huge(c.nucleus.elongation)
                &+ huge(c.nucleus.minorAxisMicrons) &+ huge(c.nucleus.nearestNeighbourMicrons)
            let maximum = slideField.count &+ tileField.count &+ 2 &* (exclusion?.utf8.count ?? 0) &+ 2 &+ 24 &* 30 &+ hugeBytes
            slideField.withBytes { slide in
                tileField.withBytes { tileName in
                    out.appendUnsafe(maximum: maximum) { p in
                        let comma = UInt8(ascii: ",")
                        var n = 0
                        @inline(__always) func bytes(_ b: UnsafeRawBufferPointer) {
                            if let base = b.baseAddress, b.count > 0 { (p + n).update(from: base.assumingMemoryBound(to: UInt8.self), count: b.count) }
                            n &+= b.count
                        }
                        @inline(__always) func fixed(_ value: Double, _ digits: Int) {
                            // Finite values below 10¹² (every measurement); others as the C library spells them.
                            if value.isFinite {
                                if Swift.abs(value) < 1e12 {
                                    n &+= TextBuffer.write(fixed: value, digits: digits, to: p + n)
                                } else {
                                    var text = CSVFormatting.fixed(value, digits)
                                    text.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
                                }
                            }
                            p[n] = comma
                            n &+= 1
                        }
                        @inline(__always) func int(_ value: Int) {
                            n &+= TextBuffer.write(int: value, to: p + n)
                            p[n] = comma
                            n &+= 1
                        }
                        bytes(slide); p[n] = comma; n &+= 1
                        bytes(tileName); p[n] = comma; n &+= 1
                        fixed(c.x, 2)
                        fixed(c.y, 2)
                        let kind: StaticString = c.kind == .tumour ? "tumour," : "excluded,"
                        bytes(UnsafeRawBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount))
                        int(c.cellClass.rawValue)
                        fixed(c.membrane.intensity, 4)
                        fixed(c.membrane.completeness, 4)
                        fixed(c.membrane.longestArc, 4)
                        fixed(c.membraneMeanOD, 4)
                        fixed(c.membraneP90OD, 4)
                        fixed(c.membraneThicknessMicrons, 3)
                        fixed(c.cytoplasmOD, 4)
                        fixed(c.nucleusAreaMicrons2, 2)
                        fixed(c.cellAreaMicrons2, 2)
                        if let exclusion {
                            var field = CSVFormatting.field(exclusion)
                            field.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
                        }
                        p[n] = comma; n &+= 1
                        fixed(c.nucleus.hematoxylinMeanOD, 4)
                        fixed(c.nucleus.hematoxylinSD, 4)
                        fixed(c.nucleus.contrastOD, 4)
                        fixed(c.nucleus.elongation, 3)
                        fixed(c.nucleus.minorAxisMicrons, 2)
                        int(c.nucleus.neighbours)
                        fixed(c.nucleus.nearestNeighbourMicrons, 2)
                        n &+= CellIdentifier.write(index: index, after: prefix, to: p + n)
                        p[n] = 10
                        return n &+ 1
                    }
                }
            }
        }
    }
}
