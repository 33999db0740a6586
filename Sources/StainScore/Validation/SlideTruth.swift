/// The reference (truth) for one slide: a pathologist's or the virtual-slide renderer's label.
public struct SlideTruth: Sendable, Hashable, Codable {
    /// Slide identifier as written in the labels file (a folder name or a file name such as `core-01.jpg`).
    public var slide: String
    public var score: HER2Score
    public var category: HER2Category?
    /// Percentages (0…100) of tumour cells at ≥1+, ≥2+ and 3+, when the truth has them.
    public var percentOnePlusOrMore: Double?
    public var percentTwoPlusOrMore: Double?
    public var percentThree: Double?
    public var tumourCells: Int?
    /// Rule set the truth label follows, when named.
    public var rules: RuleSet?
    /// Pixel size of the slide's tiles (µm/px), when known.
    public var mpp: Double?
    /// Line in the labels file.
    public var line: Int

    public init(slide: String, score: HER2Score, category: HER2Category? = nil, percentOnePlusOrMore: Double? = nil,
                percentTwoPlusOrMore: Double? = nil, percentThree: Double? = nil, tumourCells: Int? = nil,
                rules: RuleSet? = nil, mpp: Double? = nil, line: Int = 0) {
        self.slide = slide
        self.score = score
        self.category = category
        self.percentOnePlusOrMore = percentOnePlusOrMore
        self.percentTwoPlusOrMore = percentTwoPlusOrMore
        self.percentThree = percentThree
        self.tumourCells = tumourCells
        self.rules = rules
        self.mpp = mpp
        self.line = line
    }
}

/// Reads slide-level truth from a labels CSV, finding the columns by name.
///
/// Two layouts are understood (extra columns are ignored):
/// - the virtual-slide truth `slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp`;
/// - slide-level-only label files such as `file,ihc_score,her2_status_ish,upstream_file`.
///
/// The slide column is `slide` or `file`; the score column `score` or `ihc_score`. Every other
/// column is optional. A duplicated slide, an unknown score, category or rule set, or a
/// non-numeric percentage is an error naming the file and line.
public enum TruthLabelsReader {
    public static func read(_ path: String) throws -> [SlideTruth] {
        try parse(CSVTable(contentsOf: path))
    }

    public static func parse(_ table: CSVTable) throws -> [SlideTruth] {
        let slide = try table.requiredColumn("slide", "file")
        let score = try table.requiredColumn("score", "ihc_score")
        let category = table.column("category", "her2_category")
        let p1 = table.column("pct_1plus_or_more"), p2 = table.column("pct_2plus_or_more"), p3 = table.column("pct_3plus")
        let cells = table.column("tumour_cells", "tumor_cells")
        let rules = table.column("rules", "rule_set")
        let mpp = table.column("mpp", "microns_per_pixel")
        var seen: [String: Int] = [:]
        var result: [SlideTruth] = []
        for row in table.rows {
            let name = try table.name(row, slide)
            if let first = seen[name] {
                throw ValidationInputError(path: table.path, line: row.line, message: "slide '\(name)' already listed on line \(first)")
            }
            seen[name] = row.line
            var ruleSet: RuleSet?
            let ruleText = table.text(row, rules)
            if !ruleText.isEmpty {
                guard let r = RuleSet(rawValue: ruleText) else {
                    throw ValidationInputError(path: table.path, line: row.line,
                                               message: "rules '\(ruleText)' is not one of \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                ruleSet = r
            }
            let pixel = try table.optionalDouble(row, mpp)
            if let pixel, pixel <= 0 {
                throw ValidationInputError(path: table.path, line: row.line, message: "mpp must be positive")
            }
            for column in [p1, p2, p3] {
                if let v = try table.optionalDouble(row, column), !(0...100).contains(v) {
                    throw ValidationInputError(path: table.path, line: row.line, message: "\(table.header[column!]) \(v) is outside 0…100")
                }
            }
            result.append(SlideTruth(
                slide: name, score: try table.score(row, score), category: try table.optionalCategory(row, category),
                percentOnePlusOrMore: try table.optionalDouble(row, p1), percentTwoPlusOrMore: try table.optionalDouble(row, p2),
                percentThree: try table.optionalDouble(row, p3), tumourCells: try table.optionalInt(row, cells),
                rules: ruleSet, mpp: pixel, line: row.line))
        }
        return result
    }
}
