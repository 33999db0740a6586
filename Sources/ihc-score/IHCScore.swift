import ArgumentParser
import StainScore

@main
struct IHCScore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ihc-score",
        abstract: "Scores HER2 immunohistochemistry tiles (DAB membrane stain, hematoxylin counterstain).",
        discussion: """
            Exit codes:
              0   every input was processed
              2   some inputs could not be read or scored (the others were; each failure is listed)
              64  usage error (bad option or argument)
              74  an output could not be written
              1   an unexpected internal error
            """,
        version: StainScoreVersion.version,
        subcommands: [Info.self, Score.self, Merge.self, Calibrate.self, Config.self, Synth.self, Validate.self, Bench.self])

    static func main() {
        MemoryPolicy.retainFreedBlocks()
        main(nil)
    }
}

/// Exit codes scripts can rely on (see `ihc-score --help`).
enum ExitCodes {
    static let someInputsFailed = ExitCode(2)
    static let usage = ExitCode.validationFailure  // 64
    static let cannotWriteOutput = ExitCode(74)
}
