import Foundation

/// Reads predictions back from what `ihc-score score` writes.
///
/// - a JSON file: the `JSONEncoder` encoding of `[SlideResult]` (e.g. from `BatchRunner.results`);
///   a single `SlideResult` object is accepted too;
/// - a results folder with `slides.csv`
///   (`slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,h_score,tumour_cells,flags`,
///   and `rule_set` when present)
///   and optionally `cells.csv` (`slide,tile,x,y,kind,class,intensity,completeness`, kind
///   tumour/excluded; `membrane_width_um` when present) and `tiles.csv` (tile sizes and pixel
///   sizes; see `parseTiles`). Flags are separated by `;`, `|` or spaces. Without `cells.csv` the
///   predictions carry no cells and cell metrics are skipped.
public enum PredictionReader {
    /// Reads a JSON file or a results folder, whichever `path` is.
    public static func read(_ path: String) throws -> [SlidePrediction] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationInputError(path: path, message: "no such file or folder")
        }
        if isDirectory.boolValue { return try readFolder(path) }
        return try readJSON(path).compactMap(SlidePrediction.init)
    }

    /// Decodes `[SlideResult]` (or one `SlideResult`) from a JSON file.
    public static func readJSON(_ path: String) throws -> [SlideResult] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationInputError(path: path, message: "cannot read file")
        }
        let decoder = JSONDecoder()
        do {
            return try decoder.decode([SlideResult].self, from: data)
        } catch let arrayError {
            if let one = try? decoder.decode(SlideResult.self, from: data) { return [one] }
            throw ValidationInputError(path: path, message: "not a JSON array of slide results: \(describe(arrayError))")
        }
    }

    /// Reads `slides.csv` (and `cells.csv` when present) from a results folder.
    public static func readFolder(_ directory: String) throws -> [SlidePrediction] {
        let slidesPath = join(directory, "slides.csv")
        guard FileManager.default.fileExists(atPath: slidesPath) else {
            throw ValidationInputError(path: directory, message: "results folder has no slides.csv")
        }
        let slidesTable = try CSVTable(contentsOf: slidesPath)
        var predictions = try parseSlides(slidesTable)
        let cellsPath = join(directory, "cells.csv")
        if FileManager.default.fileExists(atPath: cellsPath) {
            let cells = try parseCells(CSVTable(contentsOf: cellsPath))
            for i in predictions.indices { predictions[i].cells = cells[predictions[i].slide] ?? [] }
            // Every slide slides.csv lists, scored or not (an unscorable slide's cells are still written).
            let slideColumn = try slidesTable.requiredColumn("slide", "file")
            let known = Set(try slidesTable.rows.map { try slidesTable.name($0, slideColumn) })
            if let stray = cells.keys.sorted().first(where: { !known.contains($0) }) {
                throw ValidationInputError(path: cellsPath, message: "cells of slide '\(stray)', which slides.csv does not list")
            }
        }
        let tilesPath = join(directory, "tiles.csv")
        if FileManager.default.fileExists(atPath: tilesPath) {
            let tiles = try parseTiles(CSVTable(contentsOf: tilesPath))
            for i in predictions.indices { predictions[i].tiles = tiles[predictions[i].slide] ?? [:] }
        }
        return predictions
    }

    /// Parses a results `slides.csv`.
    public static func parseSlides(_ table: CSVTable) throws -> [SlidePrediction] {
        let slide = try table.requiredColumn("slide", "file"), score = try table.requiredColumn("score", "ihc_score")
        let category = table.column("category")
        let p1 = table.column("pct_1plus_or_more"), p2 = table.column("pct_2plus_or_more"), p3 = table.column("pct_3plus")
        let h = table.column("h_score"), cells = table.column("tumour_cells"), flags = table.column("flags")
        let rules = table.column("rule_set", "rules")
        var seen: Set<String> = []
        return try table.rows.compactMap { row in
            let name = try table.name(row, slide)
            guard seen.insert(name).inserted else {
                throw ValidationInputError(path: table.path, line: row.line, message: "slide '\(name)' listed twice")
            }
            // An empty score is an unscorable slide (too few tumour cells, no readable tile): no
            // prediction, so validation counts it as missing rather than as a 0.
            if table.text(row, score).trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            let flagList = table.text(row, flags).split(whereSeparator: { $0 == ";" || $0 == "|" || $0 == " " }).map(String.init)
            return SlidePrediction(slide: name, score: try table.score(row, score), category: try table.optionalCategory(row, category),
                                   percentOnePlusOrMore: try table.optionalDouble(row, p1),
                                   percentTwoPlusOrMore: try table.optionalDouble(row, p2),
                                   percentThree: try table.optionalDouble(row, p3), hScore: try table.optionalDouble(row, h),
                                   tumourCells: try table.optionalInt(row, cells), flags: flagList,
                                   ruleSet: RuleSet(rawValue: table.text(row, rules)))
        }
    }

    /// Parses a results `cells.csv`, grouped by slide.
    public static func parseCells(_ table: CSVTable) throws -> [String: [PredictedCell]] {
        let slide = try table.requiredColumn("slide"), tile = try table.requiredColumn("tile")
        let x = try table.requiredColumn("x"), y = try table.requiredColumn("y")
        let kind = try table.requiredColumn("kind"), cls = try table.requiredColumn("class")
        let intensity = table.column("intensity"), completeness = table.column("completeness")
        let width = table.column("membrane_width_um")
        var result: [String: [PredictedCell]] = [:]
        for row in table.rows {
            let kindText = table.text(row, kind).lowercased()
            guard let k = CellKind(rawValue: kindText == "tumor" ? "tumour" : kindText) else {
                throw ValidationInputError(path: table.path, line: row.line, message: "kind '\(table.text(row, kind))' is not tumour or excluded")
            }
            let cell = PredictedCell(tile: try table.name(row, tile), x: try table.double(row, x), y: try table.double(row, y),
                                     kind: k, cellClass: try table.score(row, cls),
                                     intensity: try table.optionalDouble(row, intensity),
                                     completeness: try table.optionalDouble(row, completeness),
                                     membraneWidthMicrons: try table.optionalDouble(row, width))
            result[try table.name(row, slide), default: []].append(cell)
        }
        return result
    }

    /// Parses a results `tiles.csv` (`slide,tile,width,height`, `mpp` and `error` when present):
    /// the sizes of the tiles that were scored, grouped by slide. Tiles that failed (an error, or
    /// no size) are left out.
    public static func parseTiles(_ table: CSVTable) throws -> [String: [String: TileExtent]] {
        let slide = try table.requiredColumn("slide"), tile = try table.requiredColumn("tile")
        let width = try table.requiredColumn("width"), height = try table.requiredColumn("height")
        let mpp = table.column("mpp"), error = table.column("error")
        var result: [String: [String: TileExtent]] = [:]
        for row in table.rows {
            guard table.text(row, error).isEmpty,
                  let w = try table.optionalInt(row, width), let h = try table.optionalInt(row, height), w > 0, h > 0 else { continue }
            let pixel = try table.optionalDouble(row, mpp)
            if let pixel, pixel <= 0 {
                throw ValidationInputError(path: table.path, line: row.line, message: "mpp must be positive")
            }
            result[try table.name(row, slide), default: [:]][try table.name(row, tile)] = TileExtent(width: w, height: h, mpp: pixel)
        }
        return result
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let key, let c):
            return "missing '\(key.stringValue)' at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.debugDescription) at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
