/// `tiles.csv`: one row per tile, in slide and path order.
///
/// | column | meaning |
/// |---|---|
/// | `slide`, `tile`, `path` | the slide, the tile's name in results, the file read |
/// | `width`, `height` | tile size, pixels (0 when unreadable) |
/// | `mpp`, `mpp_source` | pixel size used (µm/px) and where it came from (`png-phys`, `tiff-resolution`, `aperio-mpp`, `jfif-density`, `user`) |
/// | `roi` | the region-of-interest file that restricted the tile, or empty |
/// | `tissue_area_mm2` | measurable tissue (inside the region of interest), mm² |
/// | `cells`, `tumour_cells`, `excluded_cells` | measured cells (inside the region of interest) |
/// | `pct_0` … `pct_3plus` | shares of the tile's tumour cells per class, % |
/// | `seconds` | analysis time (decode included) — the only column that differs between identical runs |
/// | `error` | why the tile could not be scored, or empty |
public enum TilesCSV {
    public static let columns = ["slide", "tile", "path", "width", "height", "mpp", "mpp_source", "roi", "tissue_area_mm2",
                                 "cells", "tumour_cells", "excluded_cells", "pct_0", "pct_1plus", "pct_2plus", "pct_3plus",
                                 "seconds", "error"]
    public static var header: String { columns.joined(separator: ",") }

    public static func row(slide: String, tile t: TileResult) -> String {
        let f = CSVFormatting.fixed
        if let error = t.error {
            return CSVFormatting.row([slide, t.tile, t.path, "0", "0", "", "", t.regionOfInterest?.path ?? "", "", "", "", "",
                                      "", "", "", "", f(t.seconds, 3), error])
        }
        let p = ClassPercentages(counts: t.classCounts)
        return CSVFormatting.row([
            slide, t.tile, t.path, String(t.width), String(t.height), t.pixelSize.map { f($0.micronsPerPixel, 4) } ?? "",
            t.pixelSize?.source.rawValue ?? "", t.regionOfInterest?.path ?? "", f(t.tissueAreaMM2, 4),
            String(t.tumourCells + t.excludedCells), String(t.tumourCells), String(t.excludedCells),
            f(p.zero, 2), f(p.one, 2), f(p.two, 2), f(p.three, 2), f(t.seconds, 3), "",
        ])
    }
}
