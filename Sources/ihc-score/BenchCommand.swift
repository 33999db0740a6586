import ArgumentParser

/// `ihc-score bench …`: benchmark runs.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput (MP/s), CPU and wall time, and peak memory.",
        subcommands: [BenchDecode.self, BenchPipeline.self, BenchScore.self])
}
