/// One tumour cell of a control slide, as the calibration needs it: its membrane, where it is
/// (for the gastric-biopsy clusters), and — when a per-cell truth was given — its true class.
public struct CalibrationCell: Sendable, Hashable {
    /// The membrane as measured at the analysis's stained threshold.
    public var membrane: MembraneStaining
    /// The cell's own-sector DAB peaks in circular order (`CellMeasurement.ownSectorPeaks`);
    /// with them the membrane is re-derived at any candidate stained threshold. nil: only the
    /// measured membrane is known, and the stained threshold then acts as an intensity gate only.
    public var ownSectorPeaks: [Float]?
    public var tile: Int
    public var xMicrons: Double
    public var yMicrons: Double
    /// The class the per-cell truth gives (matched by position), nil when unknown.
    public var truthClass: HER2Score?

    public init(membrane: MembraneStaining, ownSectorPeaks: [Float]? = nil, tile: Int = 0, xMicrons: Double = 0,
                yMicrons: Double = 0, truthClass: HER2Score? = nil) {
        self.membrane = membrane
        self.ownSectorPeaks = ownSectorPeaks
        self.tile = tile
        self.xMicrons = xMicrons
        self.yMicrons = yMicrons
        self.truthClass = truthClass
    }

    /// The membrane at stained threshold `threshold` (log10 DAB OD).
    public func membrane(atStainedThreshold threshold: Double) -> MembraneStaining {
        guard let ownSectorPeaks else { return membrane }
        return MembraneStaining.remeasured(ownSectorPeaks: ownSectorPeaks, stainedThreshold: threshold)
    }
}

extension MembraneStaining {
    /// Completeness, longest arc and intensity from a cell's own-sector peaks (circular order)
    /// at `stainedThreshold` — the same arithmetic as `MembraneMeasurer` (a sector is stained
    /// when its peak reaches the threshold as a `Float`; intensity is the median stained peak;
    /// sectors shared with a completely stained neighbour were already left out, and leaving
    /// them out of the circle neither breaks nor extends an arc, as in the measurement). Which
    /// sectors are shared was decided at the measured threshold; that is kept.
    public static func remeasured(ownSectorPeaks peaks: [Float], stainedThreshold: Double) -> MembraneStaining {
        let n = peaks.count
        guard n > 0 else { return MembraneStaining(intensity: 0, completeness: 0, longestArc: 0) }
        let threshold = Float(stainedThreshold)
        var stained: [Double] = []
        stained.reserveCapacity(n)
        for v in peaks where v >= threshold { stained.append(Double(v)) }
        let count = stained.count
        var longest = 0
        if count == n {
            longest = n
        } else if count > 0 {
            var run = 0
            for i in 0..<(2 * n) {
                if peaks[i < n ? i : i - n] >= threshold { run += 1; longest = max(longest, run) } else { run = 0 }
            }
            longest = min(longest, count)
        }
        stained.sort()
        let intensity = count == 0 ? 0 : (stained[(count - 1) / 2] + stained[count / 2]) / 2
        return MembraneStaining(intensity: intensity, completeness: Double(count) / Double(n),
                                longestArc: Double(longest) / Double(n))
    }
}

/// A control slide: its label (score, and the class percentages when the labels have them) and
/// its measured tumour cells.
public struct CalibrationControl: Sendable, Hashable {
    public var name: String
    public var label: HER2Score
    /// Labelled percentages (0…100) of tumour cells at ≥1+, ≥2+ and 3+, each when given.
    public var percentOnePlusOrMore: Double?
    public var percentTwoPlusOrMore: Double?
    public var percentThree: Double?
    public var cells: [CalibrationCell]

    public init(name: String, label: HER2Score, percentOnePlusOrMore: Double? = nil, percentTwoPlusOrMore: Double? = nil,
                percentThree: Double? = nil, cells: [CalibrationCell]) {
        self.name = name
        self.label = label
        self.percentOnePlusOrMore = percentOnePlusOrMore
        self.percentTwoPlusOrMore = percentTwoPlusOrMore
        self.percentThree = percentThree
        self.cells = cells
    }

    /// The control from a scored slide: its tumour cells (with their sector peaks when the
    /// analysis kept them), tiles numbered in slide order, positions in µm; `truthClass` gives
    /// the truth class of the cell at index i of `result.cells`, if known.
    public init(result: SlideResult, truth: SlideTruth, truthClass: (Int) -> HER2Score? = { _ in nil }) {
        var tileIndex: [String: Int] = [:]
        var mpp: [String: Double] = [:]
        for (i, tile) in result.tiles.enumerated() {
            tileIndex[tile.tile] = i
            mpp[tile.tile] = tile.pixelSize?.micronsPerPixel ?? 1
        }
        var cells: [CalibrationCell] = []
        for (i, cell) in result.cells.enumerated() where cell.kind == .tumour {
            let scale = mpp[cell.tile] ?? 1
            cells.append(CalibrationCell(membrane: cell.membrane, ownSectorPeaks: cell.ownSectorPeaks, tile: tileIndex[cell.tile] ?? 0,
                                         xMicrons: cell.x * scale, yMicrons: cell.y * scale, truthClass: truthClass(i)))
        }
        self.init(name: result.slide, label: truth.score, percentOnePlusOrMore: truth.percentOnePlusOrMore,
                  percentTwoPlusOrMore: truth.percentTwoPlusOrMore, percentThree: truth.percentThree, cells: cells)
    }
}
