/// What a cell in a virtual tile is.
public enum SynthCellKind: String, Sendable, Hashable, Codable, CaseIterable {
    case tumour, lymphocyte, fibroblast
}

/// The ground truth of one drawn cell (one row of `cells.csv`).
public struct SynthCell: Sendable, Hashable, Codable {
    /// Tile file name and index.
    public var tile: String
    public var tileIndex: Int
    /// Nucleus centre, tile pixels.
    public var x: Double
    public var y: Double
    public var kind: SynthCellKind
    /// Truth class (tumour cells; 0 for others) = the classifier's class of the drawn arcs.
    public var cellClass: HER2Score
    /// Stained share of the outline, measured on the drawn arcs.
    public var completeness: Double
    /// Longest contiguous stained arc (share of the outline).
    public var longestArc: Double
    /// Membrane DAB OD at the centreline of its stained arcs (0 when unstained).
    public var intensity: Double
    /// Drawn membrane width, µm (0 when unstained). The rendered flat top is at least 1 px wide.
    public var membraneWidthMicrons: Double
    /// Cytoplasmic DAB blush OD (0 = none).
    public var blushOD: Double

    /// The staining as the classifier reads it.
    public var membrane: MembraneStaining {
        MembraneStaining(intensity: intensity, completeness: completeness, longestArc: longestArc)
    }
}
