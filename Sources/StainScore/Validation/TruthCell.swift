/// What a truth cell is, as the virtual-slide renderer drew it.
public enum TruthCellKind: String, Sendable, Hashable, Codable, CaseIterable {
    case tumour
    case lymphocyte
    case fibroblast
}

/// One cell of the truth `cells.csv`.
public struct TruthCell: Sendable, Hashable, Codable {
    public var slide: String
    /// Tile file name (without folder).
    public var tile: String
    /// Nucleus centre in tile pixels.
    public var x: Double
    public var y: Double
    public var kind: TruthCellKind
    /// Membrane class 0…3 (meaningful for tumour cells).
    public var cellClass: HER2Score
    /// Fraction (0…1) of the circumference stained.
    public var completeness: Double?
    /// Membrane DAB intensity (log10 OD, the scale of `MembraneStaining.intensity`).
    public var intensity: Double?
    public var membraneWidthMicrons: Double?

    public init(slide: String, tile: String, x: Double, y: Double, kind: TruthCellKind, cellClass: HER2Score,
                completeness: Double? = nil, intensity: Double? = nil, membraneWidthMicrons: Double? = nil) {
        self.slide = slide
        self.tile = tile
        self.x = x
        self.y = y
        self.kind = kind
        self.cellClass = cellClass
        self.completeness = completeness
        self.intensity = intensity
        self.membraneWidthMicrons = membraneWidthMicrons
    }
}

/// Reads the truth `cells.csv`: `slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um`.
/// `slide,tile,x,y,kind,class` are required; the rest optional (empty allowed).
public enum TruthCellsReader {
    public static func read(_ path: String) throws -> [TruthCell] {
        try parse(CSVTable(contentsOf: path))
    }

    public static func parse(_ table: CSVTable) throws -> [TruthCell] {
        let slide = try table.requiredColumn("slide"), tile = try table.requiredColumn("tile")
        let x = try table.requiredColumn("x"), y = try table.requiredColumn("y")
        let kind = try table.requiredColumn("kind"), cls = try table.requiredColumn("class")
        let completeness = table.column("completeness"), intensity = table.column("intensity")
        let width = table.column("membrane_width_um")
        return try table.rows.map { row in
            let kindText = table.text(row, kind).lowercased()
            guard let k = TruthCellKind(rawValue: kindText == "tumor" ? "tumour" : kindText) else {
                throw ValidationInputError(path: table.path, line: row.line,
                                           message: "kind '\(table.text(row, kind))' is not tumour, lymphocyte or fibroblast")
            }
            return TruthCell(slide: try table.name(row, slide), tile: try table.name(row, tile),
                             x: try table.double(row, x), y: try table.double(row, y), kind: k,
                             cellClass: try table.score(row, cls), completeness: try table.optionalDouble(row, completeness),
                             intensity: try table.optionalDouble(row, intensity),
                             membraneWidthMicrons: try table.optionalDouble(row, width))
        }
    }
}
