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
            let comma = UInt8(ascii: ",")
            slideField.withBytes { out.append($0) }
            out.append(byte: comma)
            tileField.withBytes { out.append($0) }
            out.append(byte: comma)
            out.appendFixed(c.x, 2); out.append(byte: comma)
            out.appendFixed(c.y, 2); out.append(byte: comma)
            out.append(c.kind == .tumour ? "tumour" as StaticString : "excluded"); out.append(byte: comma)
            out.append(int: c.cellClass.rawValue); out.append(byte: comma)
            out.appendFixed(c.membrane.intensity, 4); out.append(byte: comma)
            out.appendFixed(c.membrane.completeness, 4); out.append(byte: comma)
            out.appendFixed(c.membrane.longestArc, 4); out.append(byte: comma)
            out.appendFixed(c.membraneMeanOD, 4); out.append(byte: comma)
            out.appendFixed(c.membraneP90OD, 4); out.append(byte: comma)
            out.appendFixed(c.membraneThicknessMicrons, 3); out.append(byte: comma)
            out.appendFixed(c.cytoplasmOD, 4); out.append(byte: comma)
            out.appendFixed(c.nucleusAreaMicrons2, 2); out.append(byte: comma)
            out.appendFixed(c.cellAreaMicrons2, 2); out.append(byte: comma)
            if let exclusion = c.exclusion { CSVFormatting.appendField(exclusion.rawValue, to: out) }
            out.append(byte: comma)
            out.appendFixed(c.nucleus.hematoxylinMeanOD, 4); out.append(byte: comma)
            out.appendFixed(c.nucleus.hematoxylinSD, 4); out.append(byte: comma)
            out.appendFixed(c.nucleus.contrastOD, 4); out.append(byte: comma)
            out.appendFixed(c.nucleus.elongation, 3); out.append(byte: comma)
            out.appendFixed(c.nucleus.minorAxisMicrons, 2); out.append(byte: comma)
            out.append(int: c.nucleus.neighbours); out.append(byte: comma)
            out.appendFixed(c.nucleus.nearestNeighbourMicrons, 2); out.append(byte: comma)
            CellIdentifier.append(index: index, after: prefix, to: out)
            out.append(byte: 10)
        }
    }
}
