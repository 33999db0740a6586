import Foundation

/// The file `ihc-score calibrate` writes: an ordinary parameter file (`score --config` or
/// `score --calibration` reads it) holding every parameter the calibration was made with that
/// differs from the defaults — the fitted `[rules.cells]` cut-offs always — followed by a
/// `[calibration]` table that sets nothing and records where the cut-offs came from: the tool
/// version, the rule set, the labels file and its SHA-256, each control (name, label, SHA-256 of
/// its files), and per cut-off the value before, after and the range the controls support.
public enum CalibrationFile {
    /// The top-level table that holds the record; configuration loading skips it.
    public static let metadataTable = "calibration"

    /// Where one control came from.
    public struct Control: Sendable, Hashable {
        public var name: String
        public var label: HER2Score
        /// SHA-256 of the slide's file when it is one file; otherwise of the lines
        /// "SHA256  PATH\n" (as `sha256sum` prints them) of its tiles in slide order.
        public var sha256: String
        public var tiles: Int

        public init(name: String, label: HER2Score, sha256: String, tiles: Int) {
            self.name = name
            self.label = label
            self.sha256 = sha256
            self.tiles = tiles
        }

        /// The control's record from its tiles' hashes (nil when a tile has none).
        public init?(name: String, label: HER2Score, tiles: [TileResult]) {
            let hashes = tiles.map(\.sha256)
            guard !hashes.isEmpty, hashes.allSatisfy({ $0 != nil }) else { return nil }
            let sha = hashes.count == 1 ? hashes[0]!
                : SHA256.hex(of: zip(tiles, hashes).map { "\($0.1!)  \($0.0.path)\n" }.joined())
            self.init(name: name, label: label, sha256: sha, tiles: tiles.count)
        }
    }

    /// Everything the record holds besides the parameters.
    public struct Record: Sendable {
        public var toolVersion = StainScoreVersion.version
        public var labels: String
        public var labelsSHA256: String
        public var cellsTruth: String?
        public var config: String?
        public var controls: [Control]
        public var result: CalibrationResult

        public init(labels: String, labelsSHA256: String, cellsTruth: String? = nil, config: String? = nil,
                    controls: [Control], result: CalibrationResult) {
            self.labels = labels
            self.labelsSHA256 = labelsSHA256
            self.cellsTruth = cellsTruth
            self.config = config
            self.controls = controls
            self.result = result
        }
    }

    /// The file's text: `parameters` (with the fitted cut-offs in place) and the record.
    public static func text(parameters: AnalysisParameters, record: Record) -> String {
        var out = [
            "# ihc-score calibration — written by `ihc-score calibrate` (ihc-score \(record.toolVersion)).",
            "# Apply with `ihc-score score --calibration THIS_FILE` (or --config THIS_FILE). The parameters below",
            "# are those the controls were measured and fitted with that differ from the defaults; the",
            "# [calibration] table records the controls and the fit and sets nothing.",
        ]
        out += parameterLines(parameters)
        let r = record.result
        out += ["", "", "# Where the cut-offs came from.", "[\(metadataTable)]",
                "toolVersion = \(JSONText.string(record.toolVersion))",
                "rules = \(JSONText.string(parameters.rules.ruleSet.rawValue))",
                "labels = \(JSONText.string(record.labels))",
                "labelsSHA256 = \(JSONText.string(record.labelsSHA256))"]
        if let cells = record.cellsTruth { out.append("cellsTruth = \(JSONText.string(cells))") }
        if let config = record.config { out.append("config = \(JSONText.string(config))") }
        out += ["controlsAgreeingBefore = \(r.evaluationBefore.agreement)",
                "controlsAgreeingAfter = \(r.evaluationAfter.agreement)",
                "leaveOneOutAgreeing = \(r.leaveOneOutAgreement)",
                "controlCount = \(r.controls.count)",
                "", "# One entry per control, in the same order.",
                "controls = " + array(record.controls.map { JSONText.string($0.name) }),
                "controlLabels = " + array(record.controls.map { JSONText.string($0.label.label) }),
                "controlSHA256 = " + array(record.controls.map { JSONText.string($0.sha256) }),
                "controlTiles = " + array(record.controls.map { String($0.tiles) }),
                "", "# Per cut-off: [before, after, lowest supported, highest supported] (log10 DAB OD).",
                "[\(metadataTable).fit]"]
        for fit in r.cutoffs {
            out.append("\(fit.cutoff.key) = " + array([fit.before, fit.after, fit.supported.lowerBound, fit.supported.upperBound]
                .map { TOMLSpelling.value(.float(rounded($0))) }))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The TOML lines of every parameter in `parameters` that differs from the defaults, plus the
    /// whole `[rules.cells]` table and the rule set (always written: they are what the file is for).
    public static func parameterLines(_ parameters: AnalysisParameters) -> [String] {
        let schema = ConfigurationSchema.analysisParameters
        guard let mine = tree(parameters), let defaults = tree(AnalysisParameters()) else { return [] }
        let always: Set<[String]> = [["rules", "ruleSet"]]
        var byTable: [[String]: [String]] = [:]
        for key in schema.keys {
            guard let value = lookup(mine, key.path), case let base = lookup(defaults, key.path) else { continue }
            if case .null = value { continue }  // an unset optional: omitted means unset
            let table = Array(key.path.dropLast())
            guard value != base || always.contains(key.path) || table == ["rules", "cells"] else { continue }
            byTable[table, default: []].append("\(TOMLSpelling.key(key.path.last!)) = \(TOMLSpelling.value(value))")
        }
        var out: [String] = []
        if let top = byTable[[]] { out += [""] + top }
        for table in schema.tables {
            guard let lines = byTable[table] else { continue }
            out += ["", "[" + table.map(TOMLSpelling.key).joined(separator: ".") + "]"] + lines
        }
        return out
    }

    static func tree(_ parameters: AnalysisParameters) -> ConfigurationNode? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(parameters) else { return nil }
        return try? JSONDecoder().decode(JSONNode.self, from: data).node
    }

    static func lookup(_ node: ConfigurationNode, _ path: [String]) -> ConfigurationNode.Value? {
        var here = node
        for name in path {
            guard case .table(let table) = here.value, let next = table[name] else { return nil }
            here = next
        }
        return here.value
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// Six decimals: finer than any cut-off matters, and the file stays readable.
    static func rounded(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }
}
