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
        let f = CSVFormatting.fixed
        return CSVFormatting.row([
            slide, c.tile, f(c.x, 2), f(c.y, 2), c.kind.rawValue, String(c.cellClass.rawValue),
            f(c.membrane.intensity, 4), f(c.membrane.completeness, 4), f(c.membrane.longestArc, 4),
            f(c.membraneMeanOD, 4), f(c.membraneP90OD, 4), f(c.membraneThicknessMicrons, 3), f(c.cytoplasmOD, 4),
            f(c.nucleusAreaMicrons2, 2), f(c.cellAreaMicrons2, 2), c.exclusion?.rawValue ?? "",
            f(c.nucleus.hematoxylinMeanOD, 4), f(c.nucleus.hematoxylinSD, 4), f(c.nucleus.contrastOD, 4),
            f(c.nucleus.elongation, 3), f(c.nucleus.minorAxisMicrons, 2), String(c.nucleus.neighbours),
            f(c.nucleus.nearestNeighbourMicrons, 2),
            CellIdentifier.uuid(slide: slide, tile: c.tile, index: index),
        ])
    }
}
