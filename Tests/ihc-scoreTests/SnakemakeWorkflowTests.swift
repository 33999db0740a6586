import Foundation
import StainScore
import Testing

/// The Snakemake workflow (`workflow/Snakefile`) run for real with `snakemake --cores 2`, from the
/// virtual environment `scripts/setup-snakemake.sh` makes (`.build/snakemake-venv`, or
/// `SNAKEMAKE_VENV`). The test makes it itself when it is missing; it is skipped, saying why, only
/// when it cannot be made (no python3, no network to PyPI).
enum Snakemake {
    static let venv: String = {
        if let explicit = ProcessInfo.processInfo.environment["SNAKEMAKE_VENV"], !explicit.isEmpty { return explicit }
        return CLI.packageRoot + "/.build/snakemake-venv"
    }()

    /// The snakemake executable, after making the environment if needed; nil when it cannot be made.
    static let binary: String? = {
        let path = venv + "/bin/snakemake"
        if !FileManager.default.isExecutableFile(atPath: path) {
            let setup = Process()
            setup.executableURL = URL(fileURLWithPath: "/bin/bash")
            setup.arguments = [CLI.packageRoot + "/scripts/setup-snakemake.sh"]
            setup.currentDirectoryURL = URL(fileURLWithPath: CLI.packageRoot)
            setup.standardOutput = FileHandle.nullDevice
            setup.standardError = FileHandle.nullDevice
            try? setup.run()
            setup.waitUntilExit()
        }
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    static func run(_ arguments: [String], in directory: String) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary!)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = directory + "/snakemake-output.txt"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return CLI.Result(status: process.terminationStatus, stdout: text, stderr: text)
    }
}

@Suite("workflow/Snakefile")
struct SnakemakeWorkflowTests {
    @Test("snakemake --cores 2 splits a manifest into 3 shards, scores each and merges them into what one run writes",
          .enabled(if: Snakemake.binary != nil,
                   "snakemake could not be installed into \(Snakemake.venv) (scripts/setup-snakemake.sh: needs python3 with venv and PyPI)"))
    func workflowEqualsOneRun() throws {
        let scratch = Scratch()
        let config = try ShardFixture.config(in: scratch)
        let order = ["slide-002", "slide-001", "slide-004", "slide-003", "slide-005"]
        let manifest = try ShardFixture.manifest(order, in: scratch, name: "batch.csv")
        let single = scratch.file("single")
        let run = try CLI.run(["score", "--manifest", manifest, "--config", config, "--out", single, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")

        let work = scratch.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let flow = try Snakemake.run(["-s", CLI.packageRoot + "/workflow/Snakefile", "--cores", "2", "--directory", work,
                                      "--config", "manifest=\(manifest)", "shards=3", "out=results",
                                      "ihc_score=\(CLI.binary)", "config=\(config)"], in: work)
        #expect(flow.status == 0, "\(flow.stdout)")
        let merged = work + "/results/merged"
        try ShardFixture.expectSameResults(merged, single, overlays: false)

        // Three shards of consecutive slides, merged in order.
        let report = try Results.json(merged + "/report.json")
        let records = try #require(report["shards"] as? [[String: Any]])
        #expect(records.flatMap { $0["slides"] as? [String] ?? [] } == order)
        #expect(records.count == 3)
        #expect(records.allSatisfy { ($0["slides"] as? [String])?.isEmpty == false })
    }

    @Test("snakemake --cores 2 splits a folder of slide folders into 2 shards (sorted, as score sorts them) and merges them into what one run over the folder writes",
          .enabled(if: Snakemake.binary != nil,
                   "snakemake could not be installed into \(Snakemake.venv) (scripts/setup-snakemake.sh: needs python3 with venv and PyPI)"))
    func workflowOverAFolder() throws {
        let scratch = Scratch()
        let config = try ShardFixture.config(in: scratch)
        let single = scratch.file("single")
        let run = try CLI.run(["score", ShardFixture.folder, "--config", config, "--out", single, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")

        let work = scratch.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let flow = try Snakemake.run(["-s", CLI.packageRoot + "/workflow/Snakefile", "--cores", "2", "--directory", work,
                                      "--config", "slides_dir=\(ShardFixture.folder)", "shards=2", "out=results",
                                      "ihc_score=\(CLI.binary)", "config=\(config)"], in: work)
        #expect(flow.status == 0, "\(flow.stdout)")
        let merged = work + "/results/merged"
        try ShardFixture.expectSameResults(merged, single, overlays: false)
        let report = try Results.json(merged + "/report.json")
        let records = try #require(report["shards"] as? [[String: Any]])
        #expect(records.count == 2)
        #expect(records.flatMap { $0["slides"] as? [String] ?? [] } == ShardFixture.slides)
    }
}
