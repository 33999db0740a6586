import ArgumentParser
import Foundation
import StainScore

/// Scores the slides that `ihc-score validate` compares when no `--results` are given: each truth
/// slide id names a folder of tiles (a virtual slide) or one image file (a real core) under
/// `slidesDirectory`; `mpp` is the user's pixel size for tiles that carry none; `rules` the rule
/// set to apply (nil: the pipeline's default). The slides go through the parallel batch runner
/// (all cores), in memory.
func scoreSlidesForValidation(slidesDirectory: String, slideNames: [String], mpp: Double?, rules: RuleSet?) throws -> [SlideResult] {
    var parameters = AnalysisParameters()
    if let rules { parameters.rules.ruleSet = rules }
    let pixelSize = mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
    var inputs: [SlideInput] = []
    for name in slideNames {
        let path = slidesDirectory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            Output.warning("\(path): no such slide folder or file; not scored")
            continue
        }
        var input = isDirectory.boolValue ? SlideInput.folder(path, pixelSize: pixelSize)
                                          : SlideInput(name: name, tilePaths: [path], pixelSize: pixelSize)
        input.name = name
        inputs.append(input)
    }
    let runner = BatchRunner(analyzer: SlideAnalyzer(parameters: parameters), fingerprints: false)
    return try runner.results(inputs) { event in
        if case .tileFailed(_, let tile) = event { Output.error("\(tile.path): \(tile.error ?? "failed")") }
    }
}
