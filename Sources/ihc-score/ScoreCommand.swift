import ArgumentParser
import Foundation
import StainScore

/// `ihc-score score SLIDE…`: score slides and print a summary (or the full JSON).
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score HER2 IHC slides: membrane intensity and completeness per tumour cell, pooled per slide.",
        discussion: """
            SLIDE is a folder of tiles (one slide, named after the folder) or image files (together one \
            slide). A tile that cannot be read is listed and skipped; the slide is scored on the others and \
            the exit code is 2.
            """)

    @Argument(help: "Slide folders, or the tile files of one slide.")
    var slides: [String]

    @Option(help: "Pixel size in µm/px for files that do not carry one.")
    var mpp: Double?

    @Flag(help: "Use --mpp even for files that carry a pixel size.")
    var overrideMpp = false

    @Option(help: "Rule set: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", ")).")
    var rules: String = RuleSet.breast2018.rawValue

    @Option(help: "Analyse tiles finer than this pixel size (µm/px) after an integer reduction; 0 = full resolution.")
    var analysisMpp: Double = 0.5

    @Flag(help: "Estimate stain vectors per slide (Macenko) instead of the Ruifrok–Johnston defaults.")
    var estimateStains = false

    @Option(help: "Glass intensity as R,G,B (default: estimated per tile from its glass).")
    var background: String?

    @Option(help: "Write per-tile overlay PNGs (cells outlined by class) into this folder.")
    var overlay: String?

    @Flag(help: "Print the full result as JSON (an array with one object per slide) instead of the summary.")
    var json = false

    func validate() throws {
        guard RuleSet(rawValue: rules) != nil else {
            throw ValidationError("unknown rule set '\(rules)'; use one of \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let mpp, !(mpp > 0 && mpp < 100) { throw ValidationError("--mpp must be a positive pixel size in µm/px") }
        if overrideMpp && mpp == nil { throw ValidationError("--override-mpp needs --mpp") }
        if let background, parseBackground(background) == nil {
            throw ValidationError("--background must be three numbers R,G,B in 1…255")
        }
    }

    func parseBackground(_ text: String) -> [Double]? {
        let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return parts.count == 3 && parts.allSatisfy({ $0 >= 1 && $0 <= 255 }) ? parts : nil
    }

    func run() throws {
        var parameters = AnalysisParameters()
        parameters.rules.ruleSet = RuleSet(rawValue: rules)!
        parameters.analysisMicronsPerPixel = analysisMpp
        parameters.estimateStains = estimateStains
        parameters.background = background.flatMap(parseBackground)
        let pixelSize = mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
        let inputs = SlideInputs.resolve(slides, pixelSize: pixelSize, overridePixelSize: overrideMpp)
        let analyzer = SlideAnalyzer(parameters: parameters)
        var results: [SlideResult] = []
        var failedTiles = 0
        for input in inputs {
            let result = analyzer.analyze(input) { tile, analysis in
                if let error = tile.error { Output.error("\(tile.path): \(error)") }
                guard let overlay, let analysis else { return }
                let folder = overlay + "/" + input.name
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let stem = (tile.tile as NSString).deletingPathExtension
                do {
                    try ImageWriter.writePNG(Overlay.render(analysis), to: folder + "/" + stem + "-overlay.png")
                } catch {
                    Output.error("\(error)")
                }
            }
            failedTiles += result.tiles.filter { $0.error != nil }.count
            results.append(result)
        }
        if json {
            print(try Output.json(results))
        } else {
            print(ScoreSummary.text(results))
        }
        if failedTiles > 0 { throw ExitCodes.someInputsFailed }
    }
}

/// How command-line paths become slides.
enum SlideInputs {
    /// Each folder is a slide; loose files together form one slide named after their folder.
    static func resolve(_ paths: [String], pixelSize: PixelSize?, overridePixelSize: Bool) -> [SlideInput] {
        var inputs: [SlideInput] = []
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                var slide = SlideInput.folder(path, pixelSize: pixelSize)
                slide.overridePixelSize = overridePixelSize
                inputs.append(slide)
            } else {
                files.append(path)
            }
        }
        if !files.isEmpty {
            let parent = URL(fileURLWithPath: files[0]).deletingLastPathComponent().lastPathComponent
            let name = files.count == 1 ? URL(fileURLWithPath: files[0]).lastPathComponent : parent
            inputs.append(SlideInput(name: name, tilePaths: files, pixelSize: pixelSize, overridePixelSize: overridePixelSize))
        }
        return inputs
    }
}

/// The readable summary a pathologist sees.
enum ScoreSummary {
    static func text(_ results: [SlideResult]) -> String {
        var out: [String] = []
        for r in results {
            let s = r.score
            let flags = s.flags.isEmpty ? "" : "  [" + s.flags.joined(separator: ", ") + "]"
            out.append("\(r.slide): HER2 IHC \(s.score.label) — \(s.category.rawValue)\(flags)")
            out.append("  rule set      \(s.ruleSet.summary)")
            out.append("  why           \(s.reason)")
            out.append(String(format: "  tumour cells  %d (0: %.1f%%  1+: %.1f%%  2+: %.1f%%  3+: %.1f%%)  ≥1+ %.1f%%  ≥2+ %.1f%%  H-score %.0f",
                              s.tumourCells, s.percentages.zero, s.percentages.one, s.percentages.two, s.percentages.three,
                              s.percentages.onePlusOrMore, s.percentages.twoPlusOrMore, s.hScore))
            if s.ishReflex { out.append("  ISH reflex testing required (IHC 2+, equivocal)") }
            if s.insufficient { out.append("  insufficient: fewer tumour cells than the minimum") }
            var rows = [["  TILE", "CELLS", "TUMOUR", "0", "1+", "2+", "3+", "TISSUE mm²", "µm/px", "s"]]
            for t in r.tiles {
                if let error = t.error {
                    rows.append(["  " + t.tile, "error: " + error])
                    continue
                }
                rows.append(["  " + t.tile, "\(t.tumourCells + t.excludedCells)", "\(t.tumourCells)",
                             "\(t.classCounts[0])", "\(t.classCounts[1])", "\(t.classCounts[2])", "\(t.classCounts[3])",
                             String(format: "%.3f", t.tissueAreaMM2), t.pixelSize.map { String(format: "%.3f", $0.micronsPerPixel) } ?? "?",
                             String(format: "%.2f", t.seconds)])
            }
            out.append(Output.table(rows))
            for w in r.warnings { out.append("  warning: \(w)") }
        }
        return out.joined(separator: "\n")
    }
}
