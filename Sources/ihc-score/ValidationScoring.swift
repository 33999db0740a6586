import ArgumentParser
import Foundation
import StainScore

/// Scores the slides that `ihc-score validate` compares when no `--results` are given: each truth
/// slide id names a folder of tiles (a virtual slide) or one image file (a real core) under
/// `slidesDirectory`; `mpp` is the user's pixel size for tiles that carry none; `rules` the rule
/// set to apply (nil: the pipeline's default).
func scoreSlidesForValidation(slidesDirectory: String, slideNames: [String], mpp: Double?, rules: RuleSet?) throws -> [SlideResult] {
    var parameters = AnalysisParameters()
    if let rules { parameters.rules.ruleSet = rules }
    let analyzer = SlideAnalyzer(parameters: parameters)
    let pixelSize = mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
    var results: [SlideResult] = []
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
        let result = analyzer.analyze(input)
        for tile in result.tiles where tile.error != nil { Output.error("\(tile.path): \(tile.error!)") }
        results.append(result)
    }
    return results
}
